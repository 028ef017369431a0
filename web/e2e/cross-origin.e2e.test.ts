import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, signIn } from "./browser";
import { eventually, newThread, nonce, send } from "./helpers";

/**
 * The documented Pages layout: the SPA on one origin, the API on the Worker's own. A second Vite server
 * (global-setup.ts) serves the SPA built with `VITE_API_ORIGIN` = the API's origin and proxies no /api, so every
 * call crosses origins and depends on the API's CORS (and the SPA's CSP naming the API).
 */
describe("SPA on another origin than the API", () => {
  const spaUrl = inject("crossOriginWebUrl");
  const apiUrl = inject("apiUrl");
  let browser: Browser;
  let user: { context: BrowserContext; page: Page; cspViolations: string[] };
  const apiCalls: Array<{ method: string; url: string }> = [];
  const failed: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!spaUrl) return;
    user = await newUserPage(browser, spaUrl);
    const isApi = (request: Request) => new URL(request.url()).pathname.startsWith("/api/");
    user.page.on("request", (request) => {
      if (isApi(request)) apiCalls.push({ method: request.method(), url: request.url() });
    });
    // A refused CORS request fails like a network error; one cancelled by a navigation is not a refusal.
    user.page.on("requestfailed", (request) => {
      const reason = request.failure()?.errorText ?? "";
      if (isApi(request) && !/ERR_ABORTED/.test(reason))
        failed.push(`${request.method()} ${request.url()}: ${reason}`);
    });
    user.page.on("console", (message) => {
      if (/CORS|Access-Control/i.test(message.text())) failed.push(`console: ${message.text()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("signs in, chats and saves a memory file through the API's origin", async (context) => {
    if (!spaUrl) context.skip(); // GROWQR_E2E_WEB_URL runs against an existing dev server: no second origin.
    const { page } = user;
    expect(new URL(spaUrl).origin).not.toBe(new URL(apiUrl).origin);
    await signIn(page, `cors-${nonce()}`);
    await newThread(page);
    // The live actor connection: a WebSocket to the API's origin.
    await page.getByTestId("live-status").getByText("Live").waitFor();
    await send(page, "Tell me a story [[words:12]]");
    await page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();

    // A new memory file from the browser: the PUT that CORS used to refuse.
    await page.getByRole("link", { name: "Memory" }).click();
    const path = page.getByLabel("File path");
    await path.fill(`cross/${nonce()}.md`);
    await path.press("Enter");
    await page.getByTestId("memory-missing").getByRole("button", { name: "Create it" }).click();
    const editor = page.getByTestId("memory-editor");
    await editor.getByLabel("Content").fill("written from another origin\n");
    await editor.getByRole("button", { name: "Commit" }).click();
    await page.getByTestId("memory-content").getByText("written from another origin").waitFor();
    await eventually(() => page.getByTestId("memory-saved").getAttribute("data-status")).toBe("committed");

    const put = apiCalls.find((call) => call.method === "PUT" && call.url.includes("/api/memory/file"));
    expect(put?.url.startsWith(`${apiUrl}/api/`)).toBe(true);
    // Every API call went to the API's origin, none to the SPA's own.
    expect(apiCalls.filter((call) => !call.url.startsWith(apiUrl))).toEqual([]);
    expect(failed).toEqual([]);
    expect(user.cspViolations).toEqual([]);
  }, 90_000);
});
