import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { freePort } from "../../dev/ports";
import { type LocalStack, repoRoot, startLocalStack } from "../../dev/stack";
import { launchBrowser, newUserPage, signIn } from "./browser";

/**
 * `npm run screenshots`: every view of the SPA at a desktop and a phone size, as PNGs in docs/screenshots/
 * (git-ignored: they are made afresh from the code, not kept). Starts the local stack as the web e2e tests do
 * (web/e2e/global-setup.ts), makes a user with a thread the agent has answered (a memory written along the way, a
 * schedule and a share link), shoots each view, and stops everything it started, also on Ctrl-C.
 */
const OUT = path.join(repoRoot, "docs/screenshots");
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];
const READY_MS = 30_000;

interface Fixture {
  session: string;
  threadPath: string;
  memoryPath: string;
  sharePath: string;
}

/** The views, each with what shows it is ready (its data, not only its heading). */
const views = (fixture: Fixture): Array<{ name: string; path: string; ready: (page: Page) => Locator }> => [
  { name: "home", path: "/", ready: (page) => page.getByRole("button", { name: "Start a new thread" }) },
  {
    name: "chat",
    path: fixture.threadPath,
    ready: (page) => page.locator('[data-testid="assistant-turn"][data-status="completed"]').last(),
  },
  {
    name: "memory",
    path: fixture.memoryPath,
    ready: (page) => page.getByTestId("commit").first(),
  },
  { name: "actors", path: "/actors", ready: (page) => page.getByTestId("actor-list") },
  { name: "schedules", path: "/schedules", ready: (page) => page.getByText("Morning summary").first() },
  { name: "sandbox", path: "/stack", ready: (page) => page.getByTestId("stack-status") },
  { name: "billing", path: "/billing", ready: (page) => page.getByTestId("current-plan") },
];

const log = (line: string) => console.log(`[screenshots] ${line}`);

async function api(
  page: Page,
  apiPath: string,
  body?: unknown,
  method = body === undefined ? "GET" : "POST",
): Promise<Record<string, unknown>> {
  const result = await page.evaluate(
    async ({ apiPath, body, method }) => {
      const session = JSON.parse(sessionStorage.getItem("growqr.session") ?? "{}") as { token?: string };
      const response = await fetch(`/api${apiPath}`, {
        method,
        headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
      return { status: response.status, json };
    },
    { apiPath, body, method },
  );
  if (result.status >= 300) throw new Error(`${apiPath}: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json;
}

/**
 * A thread whose first message the agent has answered, with a memory written on the way (dev/model answers
 * "remember …" with a commit_memory call, then a reply). On a fresh stack `wrangler dev` sometimes reloads while the
 * first user's Gitea starts, cutting that turn off: then the thread goes and the next try starts another.
 */
async function answeredThread(page: Page) {
  for (let attempt = 1; ; attempt++) {
    await page.getByRole("button", { name: "New thread", exact: true }).click();
    await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
    const box = page.getByLabel("Message", { exact: true });
    await box.fill("Please remember that my favourite colour is green");
    await box.press("Enter");
    const answered = await page
      .locator('[data-testid="assistant-turn"][data-status="completed"]')
      .waitFor({ timeout: 45_000 })
      .then(() => true)
      .catch(() => false);
    if (answered) return;
    if (attempt === 3) throw new Error("the agent did not answer in three tries");
    log(`no answer on try ${attempt}: trying again in a new thread`);
    await api(page, new URL(page.url()).pathname, undefined, "DELETE");
  }
}

/** One user with something in every view, made through the UI where the UI is the point (the chat). */
async function makeFixture(browser: Browser, webUrl: string): Promise<Fixture> {
  const { context, page } = await newUserPage(browser, webUrl);
  try {
    await signIn(page, "screenshots");
    await answeredThread(page);
    const threadPath = new URL(page.url()).pathname;
    const threadId = threadPath.split("/")[2] ?? "";
    const card = page.getByTestId("tool-card").filter({ hasText: "commit memory" });
    await card.locator("summary").click();
    const memoryHref = await card.getByTestId("open-in-memory").getAttribute("href");

    await api(page, "/schedules", {
      title: "Morning summary",
      prompt: "Summarise what changed in my notes",
      cron: "0 8 * * 1-5",
      timeZone: "Europe/Berlin",
    });
    const share = await api(page, `/threads/${threadId}/shares`, {});
    const session = await page.evaluate(() => sessionStorage.getItem("growqr.session"));
    if (!session) throw new Error("no session after sign-in");
    return { session, threadPath, memoryPath: memoryHref ?? "/memory", sharePath: String(share.path) };
  } finally {
    await context.close();
  }
}

async function shoot(page: Page, ready: Locator, file: string) {
  // A view that does not get ready in time is still shot, as it is: the picture then shows what went wrong.
  await ready.waitFor({ timeout: READY_MS }).catch(() => log(`${file}: not ready after ${READY_MS} ms`));
  await page.screenshot({ path: path.join(OUT, file) });
  log(`wrote docs/screenshots/${file}`);
}

async function shootAll(browser: Browser, webUrl: string) {
  await mkdir(OUT, { recursive: true });
  const fixture = await makeFixture(browser, webUrl);
  for (const viewport of VIEWPORTS) {
    const size = { width: viewport.width, height: viewport.height };
    const suffix = `${viewport.name}-${viewport.width}x${viewport.height}.png`;
    const signedIn = await browser.newContext({ baseURL: webUrl, viewport: size, reducedMotion: "reduce" });
    // The session is per tab (sessionStorage): put it there before the app's scripts run, as a reload finds it.
    await signedIn.addInitScript((session) => {
      if (!sessionStorage.getItem("growqr.session")) sessionStorage.setItem("growqr.session", session);
    }, fixture.session);
    const page = await signedIn.newPage();
    for (const view of views(fixture)) {
      await page.goto(view.path);
      // The sidebar's threads too (on a phone in the closed drawer, so not visible, but loaded for when it opens).
      await page
        .getByTestId("thread-list")
        .waitFor({ state: "attached", timeout: READY_MS })
        .catch(() => log(`${view.name}: the thread list did not load`));
      await shoot(page, view.ready(page), `${view.name}-${suffix}`);
    }
    await signedIn.close();

    // A share link is read without an account: a context with no session.
    const stranger = await browser.newContext({ baseURL: webUrl, viewport: size, reducedMotion: "reduce" });
    const reader = await stranger.newPage();
    await reader.goto(fixture.sharePath);
    await shoot(
      reader,
      reader.locator('[data-testid="assistant-turn"][data-status="completed"]').last(),
      `shared-${suffix}`,
    );
    await stranger.close();
  }
}

async function main(): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-screenshots-"));
  const lines: string[] = [];
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await browser?.close().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping…`);
      void stop().then(() => process.exit(130));
    });
  }
  try {
    const webPort = await freePort();
    log("starting the local stack…");
    stack = await startLocalStack({
      stateDir,
      webPort,
      webOrigins: [`http://127.0.0.1:${webPort}`],
      log: (service, line) => lines.push(`[${service}] ${line}`),
    });
    browser = await launchBrowser();
    await shootAll(browser, stack.webUrl ?? `http://127.0.0.1:${webPort}`);
  } catch (error) {
    // The services' output only when something failed: it is long.
    console.error(lines.slice(-200).join("\n"));
    throw error;
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("[screenshots] failed:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
