import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, signIn } from "./browser";
import { eventually, newThread, nonce, pageApi, threadIdOf } from "./helpers";

/** The thread's stored user messages' texts, oldest first. */
async function storedUserTexts(page: Page): Promise<string[]> {
  const { body } = await pageApi(page, `/threads/${threadIdOf(page)}/messages?limit=100`);
  const items = (body as { items: Array<{ role: string; content: unknown }> }).items;
  return items
    .filter((m) => m.role === "user")
    .map((m) =>
      typeof m.content === "string"
        ? m.content
        : (m.content as Array<{ type: string; text?: string }>)
            .filter((b) => b.type === "text")
            .map((b) => b.text)
            .join(""),
    );
}

const shownUserTexts = (page: Page) => page.getByTestId("user-message").locator(".bubble").allTextContents();

// Issue 23: text typed while the previous message was sending was erased when that send finished, and a message
// sent in that window was dropped.
describe("the composer while a message is sending", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, webUrl);
    await signIn(user.page, `composer-${nonce()}`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("keeps a draft typed while the last message sends, and sends a burst once each, in order", async () => {
    const { page } = user;
    await newThread(page);
    await page.getByTestId("live-status").getByText("Live").waitFor();
    // Make sends slow and observable: cut the live connection (sends then go over REST) and hold each POST until
    // the test lets it go.
    await page.evaluate(() => {
      (window as unknown as { __blockSockets: boolean }).__blockSockets = true;
      return (window as unknown as { __dropSockets: () => number }).__dropSockets();
    });
    await page.getByTestId("live-status").getByText("Reconnecting…").waitFor();
    const held: Array<() => void> = [];
    await page.route(/\/api\/threads\/[^/]+\/messages$/, async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      await new Promise<void>((release) => held.push(release));
      await route.continue();
    });
    const releaseNext = async () => {
      await eventually(() => held.length).toBeGreaterThan(0);
      held.shift()?.();
    };

    const box = page.getByLabel("Message", { exact: true });
    await box.fill("first [[words:3]]");
    await box.press("Enter");
    await eventually(() => held.length).toBe(1);
    // Typed while "first" is on its way.
    await box.pressSequentially("a draft in progress");
    await releaseNext();
    await eventually(() => shownUserTexts(page)).toEqual(["first [[words:3]]"]);
    expect(await box.inputValue()).toBe("a draft in progress");
    await eventually(() => page.getByTestId("composer-status").textContent()).toBe("");
    expect(await box.inputValue()).toBe("a draft in progress");

    // A burst: three messages sent while the first of them is still held.
    await box.fill("burst one [[words:2]]");
    await box.press("Enter");
    await eventually(() => held.length).toBe(1);
    await box.fill("burst two [[words:2]]");
    await box.press("Enter");
    await box.fill("burst three [[words:2]]");
    await box.press("Enter");
    await eventually(() => box.inputValue()).toBe("");
    await eventually(() => page.getByTestId("composer-status").textContent()).toMatch(/Sending 3 messages/);
    for (let i = 0; i < 3; i++) await releaseNext();
    const expected = [
      "first [[words:3]]",
      "burst one [[words:2]]",
      "burst two [[words:2]]",
      "burst three [[words:2]]",
    ];
    await eventually(() => shownUserTexts(page)).toEqual(expected);
    await page.unroute(/\/api\/threads\/[^/]+\/messages$/);
    expect(await storedUserTexts(page)).toEqual(expected);
    await page.evaluate(() => {
      (window as unknown as { __blockSockets: boolean }).__blockSockets = false;
    });
  });

  // Issue 23: a message over 16,000 characters was cut there silently (the box's maxlength).
  it("shows the limit as the user types and refuses an over-long message instead of cutting it", async () => {
    const { page } = user;
    await newThread(page);
    const box = page.getByLabel("Message", { exact: true });
    const counter = page.getByTestId("composer-length");
    const sendButton = page.getByRole("button", { name: "Send", exact: true });

    await box.fill("a".repeat(12_000));
    expect(await counter.textContent()).toBe("");
    await box.fill("a".repeat(15_990));
    await eventually(() => counter.textContent()).toBe("15,990 / 16,000 characters");
    expect(await sendButton.isEnabled()).toBe(true);

    await box.fill("a".repeat(16_010));
    expect((await box.inputValue()).length).toBe(16_010);
    await eventually(() => counter.textContent()).toBe("10 over the 16,000-character limit");
    expect(await sendButton.isDisabled()).toBe(true);
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    expect(await box.getAttribute("aria-describedby")).toBe("composer-length");
    await box.press("Enter");
    expect((await box.inputValue()).length).toBe(16_010);
    expect(await page.getByTestId("user-message").count()).toBe(0);

    // Back at the limit: it sends, whole.
    await box.fill("b".repeat(16_000));
    await eventually(() => sendButton.isEnabled()).toBe(true);
    await box.press("Enter");
    await eventually(() => box.inputValue()).toBe("");
    await eventually(() => storedUserTexts(page)).toEqual(["b".repeat(16_000)]);
  });
});
