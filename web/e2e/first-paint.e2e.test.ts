import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { THREADS_PAINTED } from "../src/ui/first-paint";
import { ARTIFACTS, DESKTOP, launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { nonce, pageApi } from "./helpers";

const BUDGET_MS = 1_000;
const COLD_LOADS = 3;

interface PaintTiming {
  /** The SPA's mark: the thread list with the user's threads on screen (web/src/ui/first-paint.ts). */
  threadsPaintedMs: number;
  firstContentfulPaintMs: number | null;
  domContentLoadedMs: number;
  loadMs: number;
  resources: number;
}

describe("first meaningful paint", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  const webUrl = inject("webUrl");
  const username = `paint-${nonce()}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, webUrl);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(`the threads view shows the user's threads within ${BUDGET_MS} ms of navigation start, on a cold load after sign-in`, async () => {
    await signIn(user.page, username);
    const titles = ["Quarterly plan", "Reading list", "Trip to Lisbon"];
    for (const title of titles) {
      const created = await pageApi(user.page, "/threads", { method: "POST", body: { title } });
      expect(created.status).toBe(201);
    }
    const stored = await user.page.evaluate(() => sessionStorage.getItem("growqr.session"));
    expect(stored).toBeTruthy();

    // Each load in a fresh browser context: nothing cached (HTTP cache, compiled modules, connections). The session
    // the sign-in made is in sessionStorage before the app's scripts run, as a reload of the signed-in tab finds it.
    // Vite has compiled the modules by now (the sign-in loaded them), so this is the browser's cold load of the local
    // stack, not Vite's first compile.
    const samples: PaintTiming[] = [];
    for (let i = 0; i < COLD_LOADS; i++) {
      const context = await browser.newContext({
        baseURL: webUrl,
        viewport: DESKTOP,
        reducedMotion: "reduce",
      });
      try {
        await context.addInitScript((session) => {
          if (!sessionStorage.getItem("growqr.session")) sessionStorage.setItem("growqr.session", session);
        }, stored ?? "");
        const page = await context.newPage();
        await page.goto("/");
        const list = page.getByTestId("thread-list");
        for (const title of titles) await list.getByRole("link", { name: title }).waitFor();
        const timing = await page.waitForFunction((markName) => {
          const mark = performance.getEntriesByName(markName, "mark")[0];
          if (!mark) return null;
          const nav = performance.getEntriesByType("navigation")[0] as
            | PerformanceNavigationTiming
            | undefined;
          const fcp = performance.getEntriesByName("first-contentful-paint", "paint")[0];
          return {
            threadsPaintedMs: Math.round(mark.startTime),
            firstContentfulPaintMs: fcp ? Math.round(fcp.startTime) : null,
            domContentLoadedMs: Math.round(nav?.domContentLoadedEventEnd ?? 0),
            loadMs: Math.round(nav?.loadEventEnd ?? 0),
            resources: performance.getEntriesByType("resource").length,
          };
        }, THREADS_PAINTED);
        samples.push((await timing.jsonValue()) as PaintTiming);
        // The ⋯ menus (a chunk of their own, loaded after the paint) follow.
        for (const title of titles)
          await page.getByRole("button", { name: `Actions for ${title}` }).waitFor();
        if (i === 0) await screenshot(page, "20-first-paint-threads");
      } finally {
        await context.close();
      }
    }

    // The median of the cold loads: one slow load on a busy 2-core machine does not decide, a slow app does.
    const sorted = samples.map((s) => s.threadsPaintedMs).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.POSITIVE_INFINITY;
    const report = {
      budgetMs: BUDGET_MS,
      medianThreadsPaintedMs: median,
      samples,
      measuredAt: new Date().toISOString(),
    };
    console.log(
      `first meaningful paint (threads list, cold load): median ${median} ms; samples ${JSON.stringify(samples)}`,
    );
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(path.join(ARTIFACTS, "first-paint.json"), `${JSON.stringify(report, null, 2)}\n`);

    expect(median).toBeGreaterThan(0);
    expect(median).toBeLessThan(BUDGET_MS);
  });
});
