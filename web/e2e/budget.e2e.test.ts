import { describe, expect, it } from "vitest";
import { webInitialJsGzipKb } from "../../bench/bundle-size";

const BUDGET_KB = 90;

describe("bundle budget", () => {
  it(`initial JS (entry chunk and its static imports) is at most ${BUDGET_KB} KB gzipped`, async () => {
    // The same production build and measure as the `web initial JS` row of npm run bench (bench/bundle-size.ts).
    const kb = await webInitialJsGzipKb();
    console.log(`initial JS: ${kb} KB gzipped`);
    expect(kb).toBeGreaterThan(0);
    expect(kb).toBeLessThanOrEqual(BUDGET_KB);
  });
});
