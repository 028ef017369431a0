import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DESKTOP, launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, newThread, nonce, send, threadIdOf } from "./helpers";

const PHONE_TALL = { width: 390, height: 844 };

/** dev/model spawns a sub-agent for a spawn_sub_agent directive; a slow answer keeps it running while we look. */
describe("the Actors view", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  let threadId = "";
  let subAgentId = "";

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, inject("webUrl"));
    await signIn(user.page, `act-${nonce()}`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("lists the Grow Agent and a running sub-agent, with links to its thread and events", async () => {
    const { page } = user;
    await newThread(page);
    threadId = threadIdOf(page);
    await send(page, '[[tool:spawn_sub_agent {"task":"look after the actors [[words:200]] [[slow:250]]"}]]');
    const card = page.getByTestId("subagent-card");
    await eventually(() => card.getAttribute("data-status"), 30_000).toBe("running");
    subAgentId = (await card.getAttribute("data-subagent-id")) ?? "";

    await page.getByRole("link", { name: "Actors" }).click();
    await page.getByRole("heading", { name: "Actors", level: 1 }).waitFor();
    const grow = page.locator('[data-testid="actor-row"][data-type="growAgent"]');
    await grow.waitFor();
    expect(await grow.getByRole("heading").textContent()).toBe("Grow Agent");
    expect(await grow.getByTestId("actor-status").textContent()).toBe("Active");
    expect(await grow.getByTestId("actor-generation").textContent()).toMatch(/^\d+$/);
    expect(await grow.getByTestId("actor-stop").count()).toBe(0);

    const sub = page.locator(`[data-testid="actor-row"][data-subagent-id="${subAgentId}"]`);
    await sub.waitFor();
    expect(await sub.getAttribute("data-status")).toBe("active");
    expect(await sub.getByTestId("actor-task").textContent()).toContain("look after the actors");
    expect(await sub.getByTestId("actor-thread-link").getAttribute("href")).toBe(`/threads/${threadId}`);
    expect(await sub.getByTestId("actor-events-link").getAttribute("href")).toBe(
      `/threads/${threadId}/events`,
    );
    await screenshot(page, "32-actors");
    await expectAccessible(page, "actors view");
  });

  it("stops a sub-agent: its status changes to Stopped", async () => {
    const { page } = user;
    const sub = page.locator(`[data-testid="actor-row"][data-subagent-id="${subAgentId}"]`);
    await sub.getByTestId("actor-stop").click();
    await eventually(() => sub.getAttribute("data-status"), 20_000).toBe("destroyed");
    expect(await sub.getByTestId("actor-status").textContent()).toBe("Stopped");
    expect(await sub.getByTestId("actor-stop").count()).toBe(0);

    await page.setViewportSize(PHONE_TALL);
    try {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, "33-actors-phone");
      await expectAccessible(page, "actors view (phone)");
    } finally {
      await page.setViewportSize(DESKTOP);
    }

    // The events link opens the thread's console.
    await sub.getByTestId("actor-events-link").click();
    await page.waitForURL(new RegExp(`/threads/${threadId}/events$`));
  });
});
