import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DESKTOP, launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, nonce } from "./helpers";
import { seedLongThread } from "./seed-thread";

const PHONE_844 = { width: 390, height: 844 };

/** How far the document itself can scroll, and where the top bar is: the shell must stay the viewport. */
const documentExtent = (page: Page) =>
  page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    bodyHeight: document.body.scrollHeight,
    viewport: window.innerHeight,
    scrollY: window.scrollY,
    topbar: document.querySelector(".topbar")?.getBoundingClientRect().top ?? -1,
  }));

// Issue 23: hidden "Status:" labels in each reply's footer stretched the document (14,817 px on a long thread),
// and wheeling at the bottom of the chat scrolled the top bar away, leaving a blank screen.
describe("the page stays put around a long chat", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const [name, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE_844],
  ] as const) {
    it(`a 200-message thread never grows the document past the viewport (${name})`, async (context) => {
      const { context: browserContext, page } = await newUserPage(browser, webUrl, viewport);
      try {
        await signIn(page, `scroll-${name}-${nonce()}`);
        const seeded = await seedLongThread(page, 100);
        if (!seeded) return context.skip();
        await page.goto(`/threads/${seeded.threadId}`);
        const messages = page.getByTestId("messages").locator(":scope > li");
        await eventually(() => messages.count()).toBe(200);

        const first = await documentExtent(page);
        expect(first.scrollHeight).toBeLessThanOrEqual(first.viewport);
        expect(first.bodyHeight).toBeLessThanOrEqual(first.viewport);

        // Scroll the chat to its end, then keep wheeling: the chat stops, the page does not move.
        const chat = page.locator(".chat-scroll");
        await chat.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
        const box = await chat.boundingBox();
        if (!box) throw new Error("no chat area");
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 2000);
        await eventually(() =>
          chat.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2),
        ).toBe(true);
        const after = await documentExtent(page);
        expect(after).toMatchObject({ scrollY: 0, topbar: 0 });
        expect(after.scrollHeight).toBeLessThanOrEqual(after.viewport);
        // The composer is still on screen, at the bottom of the viewport.
        const composer = await page.getByLabel("Message", { exact: true }).boundingBox();
        expect(composer && composer.y + composer.height).toBeLessThanOrEqual(viewport.height);
        await screenshot(page, `chat-scroll-${name}`);
      } finally {
        await browserContext.close();
      }
    });
  }
});
