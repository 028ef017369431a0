import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessibleAtBothSizes, newThread, nonce, send } from "./helpers";

// Issue 23: the Sandbox page showed "none" until reloaded while a sub-agent woke the stack, showed the lifecycle's
// raw words, and a cold sub-agent card showed only a spinner while the sandbox started.
describe("the sandbox while a sub-agent wakes it", () => {
  let browser: Browser;
  let context: BrowserContext;
  let sandbox: Page;
  let chat: Page;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
    const user = await newUserPage(browser, webUrl);
    context = user.context;
    chat = user.page;
    const name = `sandbox-${nonce()}`;
    await signIn(chat, name);
    // A second tab of the same user (the session is per tab), on the Sandbox page.
    sandbox = await context.newPage();
    await signIn(sandbox, name);
    await sandbox.getByRole("link", { name: "Sandbox & status" }).click();
    await sandbox.getByRole("heading", { name: "Sandbox & status" }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("follows a cold start stage by stage, on the card and on the Sandbox page, without a reload", async () => {
    const status = sandbox.getByTestId("stack-status");
    await eventually(() => status.getAttribute("data-status")).toBe("none");
    expect(await status.textContent()).toMatch(/^Not set up yet/);

    await newThread(chat);
    await send(chat, 'delegate: [[tool:write {"filePath":"cold.txt","content":"hi"}]]');
    const card = chat.getByTestId("subagent-card");
    await card.waitFor();
    // While the sandbox starts, the card shows its stages with the time so far, not only a spinner.
    const stage = card.locator('[data-testid="wake-stage"][data-done]');
    await stage.first().waitFor();
    expect(await card.getAttribute("data-status")).toMatch(/spawned|waking/);
    expect(await stage.first().textContent()).toMatch(/Creating machines · \d+ s/);
    expect(await card.getByTestId("wake-elapsed").textContent()).toMatch(/^\d+ s so far$/);
    await screenshot(chat, "subagent-card-waking");

    // The Sandbox page, never reloaded, follows the same wake to the end.
    await eventually(() => status.getAttribute("data-status"), 60_000).toBe("ready");
    expect(await status.textContent()).toBe("Running");
    const stages = sandbox.getByTestId("wake-progress").getByTestId("wake-stage");
    await eventually(() => stages.allTextContents()).toEqual([
      expect.stringMatching(/^.Creating machines · \d+ s$/),
      expect.stringMatching(/^.Starting · \d+ s$/),
      expect.stringMatching(/^.Health checks · \d+ s$/),
      expect.stringMatching(/^.Ready · \d+ s$/),
    ]);
    await screenshot(sandbox, "sandbox-woken-by-subagent");
    await expectAccessibleAtBothSizes(sandbox, "sandbox after a wake");

    await eventually(() => card.getAttribute("data-status"), 60_000).toBe("completed");
    expect(await card.getByTestId("wake-progress").count()).toBe(0);
  });
});
