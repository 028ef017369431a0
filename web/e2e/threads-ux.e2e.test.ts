import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, signIn } from "./browser";
import { eventually, lastTurn, newThread, nonce, pageApi, send, threadIdOf } from "./helpers";

const untitledCount = async (page: Page) => {
  const { body } = await pageApi(page, "/threads?limit=100");
  return (body as { items: Array<{ title: string }> }).items.filter((t) => !t.title.trim()).length;
};

// Issue 23: every "New thread" added another empty "Untitled thread", and the tab was always titled "GrowQR".
describe("new threads and tab titles", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, webUrl);
    await signIn(user.page, `threads-${nonce()}`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("reuses the empty untitled thread instead of making another", async () => {
    const { page } = user;
    await newThread(page);
    const first = threadIdOf(page);
    await page.getByRole("link", { name: "Memory" }).click();
    await page.waitForURL(/\/memory$/);
    await newThread(page);
    expect(threadIdOf(page)).toBe(first);
    await page.goto("/");
    await page.getByRole("button", { name: "Start a new thread" }).click();
    await page.waitForURL(`**/threads/${first}`);
    expect(await untitledCount(page)).toBe(1);
    expect(await page.getByTestId("thread-list").getByRole("link", { name: "Untitled thread" }).count()).toBe(
      1,
    );

    // Once it has a message it is a thread like any other: the next "New thread" is a new one.
    await send(page, "Plan my week [[words:3]]");
    await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("completed");
    await newThread(page);
    expect(threadIdOf(page)).not.toBe(first);
  });

  it("names the tab after the thread or the page", async () => {
    const { page } = user;
    await page.getByTestId("thread-list").getByRole("link", { name: "Plan my week" }).click();
    await eventually(() => page.title()).toBe("Plan my week · GrowQR");
    await page.getByRole("link", { name: "Events" }).click();
    await page.waitForURL(/\/events$/);
    await eventually(() => page.title()).toBe("Plan my week · GrowQR");
    await page.getByRole("link", { name: "Memory" }).click();
    await eventually(() => page.title()).toBe("Memory · GrowQR");
    await page.getByRole("link", { name: "Billing" }).click();
    await eventually(() => page.title()).toBe("Billing · GrowQR");
    await page.goto("/");
    await eventually(() => page.title()).toBe("Your Grow Agent · GrowQR");
    await newThread(page);
    await eventually(() => page.title()).toBe("Untitled thread · GrowQR");
  });
});
