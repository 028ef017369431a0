import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const require = createRequire(import.meta.url);
export const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/lib/chromium/chromium"];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) throw new Error("Chromium is missing: apt-get install -y chromium");
  return found;
}

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });

export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

export async function newUserPage(
  browser: Browser,
  webUrl: string,
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
  // Reduced motion: no drawer animation half-way through a screenshot.
  const context = await browser.newContext({ baseURL: webUrl, viewport, reducedMotion: "reduce" });
  const cspViolations = await watchCsp(context);
  // Lets a test cut the page's WebSockets the way a network drop does (the client then reconnects on its own).
  await context.addInitScript(() => {
    const sockets: WebSocket[] = [];
    const Native = window.WebSocket;
    const test = window as unknown as { __blockSockets?: boolean };
    class Tracked extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        // Only the actor connection (Vite's HMR socket reloads the page when cut). While blocked, new ones go
        // to a path of the same origin that refuses the upgrade (the API's 404), so they fail at once, as during
        // an outage. Not to another origin: the CSP refuses those, and a refusal by policy is not an outage.
        const live = String(url).includes("/api/live");
        const nowhere = new URL(String(url));
        nowhere.pathname = "/api/__blocked-socket";
        nowhere.search = "";
        super(live && test.__blockSockets ? nowhere.href : url, protocols);
        if (live) sockets.push(this);
      }
    }
    window.WebSocket = Tracked;
    (window as unknown as { __dropSockets: () => number }).__dropSockets = () => {
      let n = 0;
      for (const socket of sockets.splice(0)) {
        if (socket.readyState <= 1) n++;
        socket.close(4000, "test drop");
      }
      return n;
    };
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(`console: ${message.text()}`);
  });
  return { context, page, cspViolations };
}

/**
 * Every Content Security Policy violation in the context's pages, as readable lines: the pages report each
 * `securitypolicyviolation` event to the test through a binding, which survives navigations and reloads.
 */
async function watchCsp(context: BrowserContext): Promise<string[]> {
  const seen: string[] = [];
  await context.exposeBinding("__reportCspViolation", ({ page }, line: string) => {
    seen.push(`${page.url()}: ${line}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      // RivetKit's client bundles cbor-x and zod, which probe once with `new Function("")` whether eval is
      // allowed and, refused, take their eval-free path. Refusing eval is the point of the policy; the probe is
      // not a break (the views that use the connection are exercised by the same tests).
      if (event.blockedURI === "eval" && /rivetkit/.test(event.sourceFile)) return;
      const report = (window as unknown as { __reportCspViolation: (line: string) => void })
        .__reportCspViolation;
      report(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  return seen;
}

/** Signs in through the dev issuer's form and waits for the app shell. */
export async function signIn(page: Page, username: string): Promise<void> {
  await page.goto("/");
  await page.getByLabel("User name").fill(username);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-user").getByText(username, { exact: true }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }>;
}

/** axe-core's scan of the page as it is: serious and critical violations, as readable lines. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => "axe" in window);
  // Evaluated by the DevTools protocol rather than added as a <script>, which the page's CSP would refuse.
  if (!loaded) await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (context?: unknown) => Promise<unknown> } }).axe.run(document),
  )) as AxeResult;
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")})`,
    );
}
