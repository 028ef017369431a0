import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, lastTurn, nonce } from "./helpers";
import { seedLongThread } from "./seed-thread";

// Issue 23 (extras): copy a reply or a code block, and see when each message was sent.
describe("copy buttons and message times", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("copies a reply and a code block, and shows each message's time", async (context) => {
    const { context: browserContext, page } = await newUserPage(browser, webUrl);
    try {
      await browserContext.grantPermissions(["clipboard-read", "clipboard-write"]);
      await signIn(page, `extras-${nonce()}`);
      const seeded = await seedLongThread(page, 2);
      if (!seeded) return context.skip();
      await page.goto(`/threads/${seeded.threadId}`);
      await eventually(() => page.getByTestId("messages").locator(":scope > li").count()).toBe(4);

      const times = page.getByTestId("message-time");
      expect(await times.count()).toBe(4);
      for (const time of await times.all()) {
        expect(Number.isNaN(Date.parse((await time.getAttribute("datetime")) ?? ""))).toBe(false);
        expect(await time.textContent()).toMatch(/\d/);
      }

      const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
      const reply = lastTurn(page);
      await reply.getByRole("button", { name: "Copy reply" }).click();
      await eventually(clipboard).toBe(
        "Answer 2. Here is **some** detail:\n\n```ts\nconst answer = 1;\n```\n\nThat is all.",
      );
      await reply.getByTestId("copy-reply").getByText("Copied").waitFor();

      await reply.getByRole("button", { name: "Copy code" }).click();
      await eventually(async () => (await clipboard()).trim()).toBe("const answer = 1;");
      await screenshot(page, "chat-copy-and-times");
      await expectAccessible(page, "chat with copy buttons and times");
    } finally {
      await browserContext.close();
    }
  });
});
