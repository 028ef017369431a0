import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DESKTOP, launchBrowser, newUserPage, PHONE, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, newThread, nonce, pageApi, send } from "./helpers";

/** dev/model answers "remember <x>" with commit_memory {path: "notes/<slug of x>.md", content: x}. */
const NOTE = "notes/that-my-favourite-colour-is-green.md";

describe("memory browser", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, inject("webUrl"));
    await signIn(user.page, `mem-${nonce()}`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("finds a memory the agent wrote from the chat, with its history", async () => {
    const { page } = user;
    await newThread(page);
    await send(page, "remember that my favourite colour is green");
    const card = page.getByTestId("tool-card").filter({ hasText: "commit memory" });
    await eventually(() => card.getAttribute("data-state")).toBe("done");
    await page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();

    // From the tool card straight to the file.
    await card.locator("summary").click();
    await card.getByTestId("open-in-memory").click();
    await page.waitForURL(/\/memory\?path=/);
    await page.getByTestId("memory-file-path").getByText(NOTE).waitFor();
    await page.getByTestId("memory-content").getByText("that my favourite colour is green").waitFor();
    // The tree opened the note's folder and marks the file.
    const current = page.getByTestId("memory-tree").locator('a[aria-current="page"]');
    await eventually(() => current.getAttribute("data-path")).toBe(NOTE);
    expect(await current.count()).toBe(1);
    const commits = page.getByTestId("commit");
    await eventually(() => commits.count()).toBe(1);
    expect(await commits.first().textContent()).toMatch(/Remember: that my favourite colour/);
  });

  it("edits the file in the browser and shows the new commit in its history", async () => {
    const { page } = user;
    await page.getByTestId("memory-edit").click();
    const editor = page.getByTestId("memory-editor");
    await editor.getByLabel("Content").fill("# Colours\n\nMy favourite colour is **blue** now.\n");
    await editor.getByLabel("Commit message").fill("Blue, not green");
    await editor.getByRole("button", { name: "Commit" }).click();
    await eventually(() => page.getByTestId("memory-saved").getAttribute("data-status")).toBe("committed");
    const content = page.getByTestId("memory-content");
    await content.getByRole("heading", { name: "Colours" }).waitFor();
    expect(await content.locator("strong").textContent()).toBe("blue");
    const commits = page.getByTestId("commit");
    await eventually(() => commits.count()).toBe(2);
    expect(await commits.first().locator(".commit-message").textContent()).toBe("Blue, not green");
    await screenshot(page, "11-memory-file");
    await expectAccessible(page, "memory browser");
  });

  it("creates a file at a new path, and says readably when a path cannot be used", async () => {
    const { page } = user;
    const path = page.getByLabel("File path");
    await path.fill("../outside.md");
    await path.press("Enter");
    const problem = page.getByTestId("memory-error");
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^That path cannot be used: .*\.\./);
    expect(await problem.textContent()).not.toMatch(/[{}]/);

    await path.fill("ideas/garden.md");
    await path.press("Enter");
    await page.getByTestId("memory-missing").getByRole("button", { name: "Create it" }).click();
    const editor = page.getByTestId("memory-editor");
    await editor.getByLabel("Content").fill("- tomatoes\n- basil\n");
    await editor.getByRole("button", { name: "Commit" }).click();
    await page.getByTestId("memory-content").getByText("tomatoes").waitFor();
    // The new folder appears in the tree; opening it lists the file.
    const folder = page.getByTestId("memory-tree").locator('button[data-path="ideas"]');
    await folder.waitFor();
    expect(await folder.getAttribute("aria-expanded")).toBe("true");
    await page.getByTestId("memory-tree").locator('a[data-path="ideas/garden.md"]').waitFor();
    expect(await page.getByTestId("commit").first().textContent()).toMatch(/Create ideas\/garden\.md/);

    // On a phone the tree and the file stack up, and nothing runs off the side.
    await page.setViewportSize(PHONE);
    try {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, "19-memory-phone");
      await expectAccessible(page, "memory browser (phone)");
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });

  it("lists a write git refused beside the tree, with the reason, and it holds nothing back", async () => {
    const { page } = user;
    // The SPA's own session token, to make a write the page itself has no way to make.
    const seen = page.waitForRequest((r) => r.url().includes("/api/memory") && !!r.headers().authorization);
    await page.goto("/memory");
    const request = await seen;
    const write = (path: string, message: string) =>
      fetch(new URL("/api/memory/file", request.url()), {
        method: "PUT",
        headers: { authorization: request.headers().authorization ?? "", "content-type": "application/json" },
        body: JSON.stringify({ path, content: "x", message }),
      });
    // "ideas" is a folder (ideas/garden.md): git will never take a file there.
    expect((await write("ideas", "A file where a folder is")).status).toBe(422);
    expect((await write("ideas/later.md", "Later")).status).toBe(200);
    await page.reload();
    const failed = page.getByTestId("failed-write");
    await failed.waitFor();
    expect(await failed.count()).toBe(1);
    expect(await failed.getAttribute("data-reason")).toBe("rejected");
    expect(await failed.textContent()).toMatch(/ideas.*A file where a folder is.*git refused it/s);
    await expectAccessible(page, "memory browser (failed writes)");
  });

  it("says that memory is waking when a file needs the sleeping Gitea machine, then shows it", async () => {
    const { page } = user;
    await page.goto("/memory");
    expect((await pageApi(page, "/stack/suspend", { method: "POST" })).status).toBe(200);
    // Committed files come from Postgres (L2) without waking anything; bootstrap's README lives only in git.
    await page.goto(`/memory?path=${encodeURIComponent("system/README.md")}`);
    await page.getByTestId("memory-waking").waitFor();
    await page.getByTestId("memory-content").getByText("always loaded").waitFor();
    await expectAccessible(page, "memory browser (waking)");
  });
});
