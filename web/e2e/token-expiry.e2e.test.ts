import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, type ExpectStatic, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { lastTurn, newThread, nonce, send, threadIdOf, words } from "./helpers";

/** Session tokens this short-lived (the dev issuer's `ttlSeconds`), so the test sees several expire. */
const TOKEN_TTL_SECONDS = 10;

/** `helpers.ts`'s `eventually`, with the test's own `expect` (the suite is declared concurrent). */
const eventually = <T>(expect: ExpectStatic, check: () => T | Promise<T>, timeout = 15_000) =>
  expect.poll(check, { timeout, interval: 100 });

/**
 * The SPA with short-lived session tokens: its live connection is renewed over the open socket while it can be,
 * closed by the server (`user.token_expired`) when it cannot, and reopened with a fresh token without losing the
 * thread's place.
 *
 * The SPA opens the socket with a fresh token on every (re)connect (the hub's `GET /api/live` checks it before the
 * upgrade), so there is no lookup made with an older token to test any more (decision 0011).
 */
describe("the SPA's live connection across token expiry", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  const name = `expiry-${nonce()}`;
  const webUrl = inject("webUrl");
  /** What the dev issuer's sign-in does for the page: short-lived tokens, or fail (no fresh token to be had). */
  let issuer: "short" | "down" = "short";

  const sockets = (page: Page) =>
    page.evaluate(() => (window as unknown as { __liveSockets: number }).__liveSockets);

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, webUrl);
    // Counts the live-channel sockets the page opens (`/api/live`) and records how each closed (code, reason).
    await user.context.addInitScript(() => {
      const Native = window.WebSocket;
      const counter = window as unknown as { __liveSockets: number; __liveCloses: string[] };
      counter.__liveSockets = 0;
      counter.__liveCloses = [];
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          if (!String(url).includes("/api/live")) return;
          counter.__liveSockets++;
          const opened = Date.now();
          this.addEventListener("close", (event) =>
            counter.__liveCloses.push(`${event.code} ${event.reason} after ${Date.now() - opened} ms`),
          );
        }
      };
    });
    await user.context.route("**/dev-auth/sign-in", async (route) => {
      if (issuer === "down") return route.abort("connectionrefused");
      const body = JSON.parse(route.request().postData() ?? "{}") as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, ttlSeconds: TOKEN_TTL_SECONDS }) });
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  // One page across its token's lifetimes: this suite runs beside the next test, its two tests one after the other.
  const IN_ORDER = { concurrent: false };
  describe("one page, renewed then cut off", { concurrent: true }, () => {
    it(
      "keeps one live connection past several token lifetimes by renewing it",
      IN_ORDER,
      async ({ expect }) => {
        const { page } = user;
        await signIn(page, name);
        await newThread(page);
        await page.getByTestId("live-status").getByText("Live").waitFor();
        await send(page, "Before the expiry [[words:5]]");
        await page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();
        const opened = await sockets(page);
        const console: string[] = [];
        page.on("console", (message) => console.push(`${new Date().toISOString()} ${message.text()}`));

        await page.waitForTimeout(2.5 * TOKEN_TTL_SECONDS * 1000);
        // Never closed for expiry (a socket cut for another reason, e.g. `wrangler dev` reloading, is not the point).
        const closes = await page.evaluate(
          () => (window as unknown as { __liveCloses: string[] }).__liveCloses,
        );
        const context = [`sockets: ${opened} → ${await sockets(page)}`, ...closes, ...console].join("\n");
        expect(
          closes.filter((close) => close.includes("token_expired")),
          context,
        ).toEqual([]);
        await expect(page.getByTestId("live-status").textContent()).resolves.toContain("Live");
      },
    );

    it(
      "is closed when its token expires unrenewed and, back with a fresh token, shows what it missed",
      IN_ORDER,
      async ({ expect }) => {
        const { page } = user;
        const threadId = threadIdOf(page);
        issuer = "down";
        // No fresh token: the renewal fails, the server closes the connection at expiry, reconnects fail.
        await page
          .getByTestId("live-status")
          .getByText("Reconnecting…")
          .waitFor({ timeout: 2 * TOKEN_TTL_SECONDS * 1000 });
        await screenshot(page, "token-expiry-reconnecting");
        // Closed by the server for expiry (the reason the first test never sees).
        const closes = await page.evaluate(
          () => (window as unknown as { __liveCloses: string[] }).__liveCloses,
        );
        expect(
          closes.some((close) => close.startsWith("1000 user.token_expired")),
          closes.join("\n"),
        ).toBe(true);

        // Meanwhile another tab of the same user writes in the thread (a fresh token straight from the dev issuer).
        const signedIn = (await (
          await fetch(`${webUrl}/dev-auth/sign-in`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ username: name }),
          })
        ).json()) as { token: string };
        const sent = await fetch(`${webUrl}/api/threads/${threadId}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${signedIn.token}`, "content-type": "application/json" },
          body: JSON.stringify({ text: "Sent while away [[words:7]]" }),
        });
        expect(sent.status).toBe(202);

        issuer = "short";
        await page.getByTestId("live-status").getByText("Live").waitFor({ timeout: 30_000 });
        await page.getByTestId("user-message").getByText("Sent while away").waitFor();
        await eventually(
          expect,
          async () => words((await lastTurn(page).locator(".reply-text").textContent()) ?? "").length,
        ).toBe(7);
        // The thread kept its place: both exchanges once each, in order.
        const userMessages = await page.getByTestId("user-message").allTextContents();
        expect(userMessages.map((text) => text.replace(/\s*\[\[.*$/, "").trim())).toEqual([
          "Before the expiry",
          "Sent while away",
        ]);
        expect(await page.getByTestId("assistant-turn").count()).toBe(2);
        await screenshot(page, "token-expiry-back");
      },
    );
  });
});
