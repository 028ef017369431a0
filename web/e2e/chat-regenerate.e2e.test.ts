import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessibleAtBothSizes, lastTurn, newThread, nonce, send } from "./helpers";

// Issue 23: regenerate the last reply. The new turn answers the same message and takes the old reply's place.
describe("regenerate a reply", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("offers the last reply only while no turn runs, and replaces it with the new one, also after a reload", async () => {
    const { context, page } = await newUserPage(browser, webUrl);
    try {
      await signIn(page, `regen-${nonce()}`);
      await newThread(page);
      const turns = page.getByTestId("assistant-turn");
      const regenerate = page.getByRole("button", { name: "Regenerate reply" });

      // While a reply runs there is nothing to regenerate; once done, only the last reply offers it.
      await send(page, "first question [[slow:150]] [[words:20]]");
      await page.locator('[data-testid="assistant-turn"][data-status="running"]').waitFor();
      expect(await regenerate.count()).toBe(0);
      await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("completed");
      // The model refuses the first try (400 is not retried), so the regenerated reply is visibly another one.
      await send(page, `second question [[fail:400 times=1 id=${nonce()}]]`);
      await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("failed");
      await eventually(() => regenerate.count()).toBe(1);
      expect(await lastTurn(page).getByRole("button", { name: "Regenerate reply" }).count()).toBe(1);
      await expectAccessibleAtBothSizes(page, "chat with a reply to regenerate");

      await regenerate.click();
      await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("completed");
      await eventually(() => lastTurn(page).textContent()).toContain("You said: second question");
      const shown = async () => ({
        turns: await turns.count(),
        statuses: await turns.evaluateAll((all) => all.map((t) => t.getAttribute("data-status"))),
        users: await page.getByTestId("user-message").locator(".bubble").allTextContents(),
      });
      const expected = {
        turns: 2,
        statuses: ["completed", "completed"],
        users: ["first question [[slow:150]] [[words:20]]", expect.stringContaining("second question")],
      };
      expect(await shown()).toEqual(expected);
      expect(await page.getByText("The model refused the request").count()).toBe(0);
      await eventually(() => regenerate.count()).toBe(1);
      await screenshot(page, "chat-regenerated");

      // The log says the same to a fresh page.
      await page.reload();
      await eventually(() => lastTurn(page).textContent()).toContain("You said: second question");
      expect(await shown()).toEqual(expected);
      await eventually(() => regenerate.count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
