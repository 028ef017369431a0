import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, lastTurn, newThread, nonce, send } from "./helpers";

// Issue 23: edit and resend the last message. Sending the edit sends a new message; the original stays.
describe("edit and resend", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("offers the last message for editing only while no reply runs, and sends the edit as a new message", async () => {
    const { context, page } = await newUserPage(browser, webUrl);
    try {
      await signIn(page, `edit-${nonce()}`);
      await newThread(page);
      const messages = page.getByTestId("user-message");
      const editButtons = page.getByRole("button", { name: "Edit and resend" });
      const box = page.getByLabel("Message", { exact: true });

      // While the reply runs there is nothing to edit.
      await send(page, "first question [[slow:150]] [[words:20]]");
      await page.locator('[data-testid="assistant-turn"][data-status="running"]').waitFor();
      expect(await editButtons.count()).toBe(0);
      await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("completed");
      await send(page, "second question");
      await eventually(() => lastTurn(page).textContent()).toContain("You said: second question");
      await eventually(() => editButtons.count()).toBe(1);
      // Only on the last message.
      expect(await messages.last().getByRole("button", { name: "Edit and resend" }).count()).toBe(1);

      // Editing keeps a draft aside and brings it back when the edit is discarded.
      await box.fill("a draft");
      await editButtons.click();
      await eventually(() => box.inputValue()).toBe("second question");
      await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe("composer-input");
      const note = page.getByTestId("composer-editing");
      expect(await note.textContent()).toContain("Sending adds it as a new message");
      await note.getByRole("button", { name: "Discard edit" }).click();
      expect(await box.inputValue()).toBe("a draft");
      expect(await note.count()).toBe(0);

      // Edit and send: a new message and its reply; the original stays above, and the draft comes back.
      await editButtons.click();
      await eventually(() => box.inputValue()).toBe("second question");
      await screenshot(page, "chat-edit-and-resend");
      await expectAccessible(page, "chat while editing the last message");
      await box.fill("second question, better put");
      await box.press("Enter");
      await eventually(() => box.inputValue()).toBe("a draft");
      expect(await note.count()).toBe(0);
      await eventually(() => lastTurn(page).textContent()).toContain("You said: second question, better put");
      expect(await messages.locator(".bubble").allTextContents()).toEqual([
        "first question [[slow:150]] [[words:20]]",
        "second question",
        "second question, better put",
      ]);
      // Now the new message is the one to edit.
      await eventually(() => editButtons.count()).toBe(1);
      expect(await messages.last().getByRole("button", { name: "Edit and resend" }).count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
