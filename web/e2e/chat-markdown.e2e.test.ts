import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, lastTurn, newThread, nonce, send } from "./helpers";
import { seedExchange, seedThread } from "./seed-thread";

// Issue 23: replies render markdown tables and headings, and code blocks are syntax-highlighted (the highlighter is
// a lazy chunk: budget.e2e.test.ts checks it stays out of the initial JS).
describe("markdown replies", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows a heading, a table and a highlighted TypeScript block", async () => {
    const { context, page } = await newUserPage(browser, webUrl);
    try {
      await signIn(page, `markdown-${nonce()}`);
      await newThread(page);
      // dev/model answers [[markdown]] with a fixed reply (dev/model/script.ts, MARKDOWN_REPLY).
      await send(page, "Show me some markdown [[markdown]]");
      await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("completed");
      const reply = lastTurn(page).locator(".reply-text");

      expect(await reply.getByRole("heading", { level: 2 }).textContent()).toBe("A sample reply");
      const table = reply.getByRole("table");
      expect(await table.getByRole("columnheader").allTextContents()).toEqual(["Language", "Typed"]);
      expect(await table.getByRole("row").count()).toBe(3);
      expect(await table.getByRole("cell").allTextContents()).toEqual([
        "TypeScript",
        "yes",
        "JavaScript",
        "no",
      ]);

      // Highlighted: the keyword, the string and the plain text of the block each in their own colour.
      const code = reply.locator("pre code");
      await code.locator(".hljs-keyword").first().waitFor();
      expect(await code.locator(".hljs-keyword").first().textContent()).toBe("const");
      const colour = (selector: string) =>
        code
          .locator(selector)
          .first()
          .evaluate((element) => getComputedStyle(element).color);
      const plain = await code.evaluate((element) => getComputedStyle(element).color);
      expect(await colour(".hljs-keyword")).not.toBe(plain);
      expect(await colour(".hljs-string")).not.toBe(plain);
      expect(await colour(".hljs-string")).not.toBe(await colour(".hljs-keyword"));
      // The text is the code as written (highlighting adds no characters).
      expect(await code.textContent()).toBe(
        'const answer: number = 42;\nconsole.log("The answer is", answer);\n',
      );

      await screenshot(page, "chat-markdown-highlighted");
      await expectAccessible(page, "chat with a table and highlighted code");
    } finally {
      await context.close();
    }
  });

  it("keeps markup inside a highlighted code block as text", async (test) => {
    const { context, page } = await newUserPage(browser, webUrl);
    try {
      await signIn(page, `markdown-safe-${nonce()}`);
      const html = '<img src="x" onerror="window.__xss=1"><script>window.__xss=2</script>';
      const seeded = await seedThread(
        page,
        seedExchange("Show me HTML", `Here:\n\n\`\`\`html\n${html}\n\`\`\`\n\nDone.`),
        "Markup in code",
      );
      if (!seeded) return test.skip();
      await page.goto(`/threads/${seeded.threadId}`);
      const code = lastTurn(page).locator(".reply-text pre code");
      await code.locator(".hljs-tag").first().waitFor();
      expect(await code.textContent()).toBe(`${html}\n`);
      expect(await lastTurn(page).locator("img, script, [onerror]").count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    } finally {
      await context.close();
    }
  });
});
