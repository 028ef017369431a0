import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, signIn } from "./browser";
import { eventually, expectAccessibleAtBothSizes, newThread, nonce, send } from "./helpers";

/**
 * Share links in the SPA (issue 24): the owner makes a link from the thread's header; a fresh browser context
 * (no session) opens it, reads the conversation, sees the owner's next reply arrive live, and is told when the
 * owner revokes the link.
 */
describe("share links in the SPA", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("creates a link in the thread header and opens it, live, in a fresh browser context without signing in", async () => {
    const owner = await newUserPage(browser, webUrl);
    await signIn(owner.page, `sharer-${nonce()}`);
    await newThread(owner.page);
    await send(owner.page, "Shared hello [[words:12]]");
    await owner.page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();

    await owner.page.getByTestId("share-button").click();
    const dialog = owner.page.getByTestId("share-dialog");
    await dialog.getByRole("button", { name: "Create link" }).click();
    const url = await dialog.getByTestId("share-url").inputValue();
    expect(url).toMatch(/\/share\/[A-Za-z0-9_-]{43}$/);
    await dialog.getByTestId("share-item").first().waitFor();
    await expectAccessibleAtBothSizes(owner.page, "share dialog");

    // A stranger: a new context has no session at all.
    const stranger = await newUserPage(browser, webUrl);
    await stranger.page.goto(url);
    await stranger.page.getByTestId("shared-thread").waitFor();
    await stranger.page.getByTestId("user-message").getByText("Shared hello").waitFor();
    await stranger.page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();
    await stranger.page.getByTestId("live-status").getByText("Live").waitFor();
    // Nothing of the app around it: no sign-in form, no sidebar, no composer.
    expect(await stranger.page.getByLabel("User name").count()).toBe(0);
    expect(await stranger.page.getByTestId("thread-list").count()).toBe(0);
    expect(await stranger.page.getByLabel("Message", { exact: true }).count()).toBe(0);
    await expectAccessibleAtBothSizes(stranger.page, "shared thread");

    // The owner's next message arrives live on the stranger's page.
    await dialog.getByRole("button", { name: "Close" }).click();
    await send(owner.page, "Second for the stranger");
    await stranger.page.getByTestId("user-message").getByText("Second for the stranger").waitFor();
    await eventually(() => stranger.page.getByTestId("assistant-turn").count()).toBe(2);

    // Revoked: the open page learns at once that the link is gone; a reload shows the same.
    await owner.page.getByTestId("share-button").click();
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await dialog.locator('[data-testid="share-item"][data-status="revoked"]').waitFor();
    await stranger.page.getByTestId("share-gone").waitFor();
    await stranger.page.reload();
    await stranger.page.getByTestId("share-gone").waitFor();
    expect(stranger.cspViolations).toEqual([]);

    await stranger.context.close();
    await owner.context.close();
  }, 90_000);
});
