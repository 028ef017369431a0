import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, signIn } from "./browser";
import { eventually, newThread, nonce, send } from "./helpers";

/**
 * The SPA runs under the Content Security Policy that Pages serves (`_headers`, generated from
 * web/vite.config.headers.ts, the same headers Vite's dev server sends here). Every view is used as a person
 * would, and no page of the session reports a violation: a policy too strict for the app shows up here.
 */
describe("Content Security Policy", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page; cspViolations: string[] };
  const noViolations = (view: string) => expect(user.cspViolations, view).toEqual([]);

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, inject("webUrl"));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("is served with the SPA: scripts from its own origin only, no framing, no plugins", async () => {
    const response = await user.page.goto("/");
    const headers = response?.headers() ?? {};
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBeTruthy();
    expect(headers["permissions-policy"]).toContain("camera=()");
  });

  it("reports a script the policy refuses (so the checks below can fail)", async () => {
    const page = await user.context.newPage();
    try {
      await page.goto("/");
      const before = user.cspViolations.length;
      const ran = await page.evaluate(async () => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.append(script);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return (window as unknown as { __injected?: boolean }).__injected === true;
      });
      expect(ran).toBe(false);
      await eventually(() => user.cspViolations.length).toBeGreaterThan(before);
      expect(user.cspViolations.at(-1)).toMatch(/script-src/);
    } finally {
      await page.close();
      user.cspViolations.length = 0;
    }
  });

  it("signs in and chats with a streamed reply", async () => {
    const { page } = user;
    await signIn(page, `csp-${nonce()}`);
    await newThread(page);
    // The live actor connection (a WebSocket) is up under the policy: replies stream through it.
    await page.getByTestId("live-status").getByText("Live").waitFor();
    await send(page, "Tell me a story [[slow:20]] [[words:30]]");
    await page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();
    expect(
      (await page.getByTestId("assistant-turn").last().locator(".reply-text").textContent())?.trim(),
    ).toBeTruthy();
    noViolations("chat");
  });

  it("shows the event console", async () => {
    const { page } = user;
    await page.getByRole("link", { name: "Events" }).click();
    await page.waitForURL(/\/events$/);
    await page.getByTestId("event-row").first().waitFor();
    await page.getByRole("link", { name: "Chat" }).click();
    await page.getByTestId("assistant-turn").first().waitFor();
    noViolations("event console");
  });

  it("browses memory, edits a file and saves it", async () => {
    const { page } = user;
    await send(page, "remember that the policy holds");
    const card = page.getByTestId("tool-card").filter({ hasText: "commit memory" });
    await eventually(() => card.getAttribute("data-state")).toBe("done");
    await card.locator("summary").click();
    await card.getByTestId("open-in-memory").click();
    await page.waitForURL(/\/memory\?path=/);
    await page.getByTestId("memory-content").getByText("that the policy holds").waitFor();
    await page.getByTestId("memory-edit").click();
    const editor = page.getByTestId("memory-editor");
    await editor.getByLabel("Content").fill("# Policy\n\nIt **holds**.\n");
    await editor.getByRole("button", { name: "Commit" }).click();
    await eventually(() => page.getByTestId("memory-saved").getAttribute("data-status")).toBe("committed");
    await page.getByTestId("memory-content").getByRole("heading", { name: "Policy" }).waitFor();
    noViolations("memory browser");
  });

  it("runs a sub-agent and lists it", async () => {
    const { page } = user;
    await newThread(page);
    await send(page, 'delegate: [[tool:write {"filePath":"csp.txt","content":"ok"}]]');
    const card = page.getByTestId("subagent-card");
    // A failure shows its reason in the card: part of the message if it fails here.
    const status = async () => {
      const current = await card.getAttribute("data-status");
      return current === "failed" ? `failed: ${await card.textContent()}` : current;
    };
    // The first sub-agent cold-starts the sandbox (real OpenCode), slow on a busy 2-core machine.
    await eventually(status, 150_000).toBe("completed");
    await page.getByRole("link", { name: "Sub-agents" }).click();
    await page.getByRole("heading", { name: "Sub-agents", level: 1 }).waitFor();
    await page.getByTestId("subagent-row").first().waitFor();
    noViolations("sub-agents");
  }, 200_000);

  it("shows the sandbox and billing pages", async () => {
    const { page } = user;
    await page.getByRole("link", { name: "Sandbox & status" }).click();
    await page.getByRole("heading", { name: "Sandbox & status" }).waitFor();
    await eventually(() => page.getByTestId("stack-status").getAttribute("data-status")).toMatch(
      /suspended|ready|starting/,
    );
    await page.getByTestId("overall-status").waitFor();
    await page.getByRole("link", { name: "Billing" }).click();
    await page.getByRole("heading", { name: "Billing", level: 1 }).waitFor();
    await eventually(() => page.getByTestId("current-plan").getAttribute("data-plan")).toBe("free");
    noViolations("sandbox and billing");
  });
});
