import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DESKTOP, launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, nonce, pageApi } from "./helpers";

const PATH = "notes/history.md";
const PHONE_TALL = { width: 390, height: 844 };

describe("memory history: diffs, a file at a commit, restoring", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  let name = "";

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, inject("webUrl"));
    await signIn(user.page, `memh-${nonce()}`);
    // The name the user's profile carries (Clerk's; the dev issuer capitalises the username), not an internal id.
    name = ((await pageApi(user.page, "/me")).body as { name: string }).name;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows what a commit changed, and the file as it left it, with the user's name as author", async () => {
    const { page } = user;
    const write = (content: string, message: string) =>
      pageApi(page, "/memory/file", { method: "PUT", body: { path: PATH, content, message } });
    expect((await write("# Plan\n\nfirst line\nsecond line\n", "Start the plan")).status).toBe(200);
    expect((await write("# Plan\n\nfirst line\nchanged line\n", "Change the plan")).status).toBe(200);
    await page.goto(`/memory?path=${encodeURIComponent(PATH)}`);

    const commits = page.getByTestId("commit");
    await eventually(() => commits.count()).toBe(2);
    expect(name).not.toBe("");
    expect(await commits.first().getByTestId("commit-author").textContent()).toBe(name);
    expect(await commits.first().getByTestId("commit-author").getAttribute("data-kind")).toBe("user");

    const newest = commits.first();
    await newest.getByTestId("commit-toggle").click();
    expect(await newest.getByTestId("commit-toggle").getAttribute("aria-expanded")).toBe("true");
    const diff = newest.getByTestId("memory-diff");
    await diff.waitFor();
    expect(await diff.getByTestId("diff-summary").textContent()).toBe("1 added, 1 removed");
    expect(await diff.locator('[data-kind="del"] .diff-text').allTextContents()).toEqual(["second line"]);
    expect(await diff.locator('[data-kind="add"] .diff-text').allTextContents()).toEqual(["changed line"]);

    // The oldest commit created the file: all of it added.
    const oldest = commits.nth(1);
    await oldest.getByTestId("commit-toggle").click();
    await eventually(() => oldest.getByTestId("diff-summary").textContent()).toBe(
      "Created the file: 4 added, 0 removed",
    );
    await oldest.getByTestId("commit-view-file").click();
    expect(await oldest.getByTestId("commit-file").textContent()).toBe("# Plan\n\nfirst line\nsecond line\n");
    await screenshot(page, "30-memory-diff");
    await expectAccessible(page, "memory history with a diff");
  });

  it("restores an older version as the newest commit, by the user", async () => {
    const { page } = user;
    const commits = page.getByTestId("commit");
    const oldSha = (await commits.nth(1).getAttribute("data-sha")) ?? "";
    // The newest commit is the file as it is: nothing to restore there.
    expect(await commits.first().getByTestId("commit-restore").count()).toBe(0);
    await commits.nth(1).getByTestId("commit-restore").click();
    await eventually(() => commits.count()).toBe(3);
    expect(await commits.first().locator(".commit-message").textContent()).toBe(
      `Restore ${PATH} to ${oldSha.slice(0, 7)}`,
    );
    expect(await commits.first().getByTestId("commit-author").textContent()).toBe(name);
    await page.getByTestId("memory-content").getByText("second line").waitFor();
    expect(await page.getByTestId("memory-content").textContent()).not.toContain("changed line");

    // On a phone: the history and an opened diff fit the screen and stay accessible.
    await page.setViewportSize(PHONE_TALL);
    try {
      await commits.first().getByTestId("commit-toggle").click();
      await commits.first().getByTestId("memory-diff").waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, "31-memory-diff-phone");
      await expectAccessible(page, "memory history (phone)");
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});
