import type { BenchReport } from "./summary";

/**
 * How far a repeated `npm run bench` on the same machine may move each compared figure and still count as the
 * same result. Ratios against a same-run baseline are what the report stands on, so they are held tightly;
 * medians of absolute latencies move with whatever else the machine does.
 */
export const RATIO_TOLERANCE = 0.25;
export const MEDIAN_TOLERANCE = 0.5;

interface Compared {
  figure: string;
  get(report: BenchReport): number | undefined;
  tolerance: number;
}

const FIGURES: Compared[] = [
  ...["GET /api/health", "GET /api/threads"].map((prefix) => ({
    figure: `${prefix}: p50 ratio to the static route`,
    get: (r: BenchReport) => r.results.find((x) => x.name.startsWith(prefix))?.p50Ratio,
    tolerance: RATIO_TOLERANCE,
  })),
  // GrowQR's actors against the Agents SDK and the plain DO (issue 22); reports from before it have neither.
  ...(["webSocket", "http"] as const).flatMap((path) =>
    (["vsAgents", "vsPlain"] as const).map((versus) => ({
      figure: `actor ${path === "webSocket" ? "WS" : "HTTP"} action: p50 ratio to ${versus === "vsAgents" ? "Agents SDK" : "raw DO"}`,
      get: (r: BenchReport) => r.actors[path][versus].p50Ratio,
      tolerance: RATIO_TOLERANCE,
    })),
  ),
  {
    figure: "warm ensureStack: p50 over plain RPC (ms)",
    get: (r) => r.stack.warmOverheadP50Ms,
    tolerance: 1,
  },
  {
    figure: "Grow Agent first delta: p50 (ms)",
    get: (r) => r.agent.firstDelta.p50,
    tolerance: MEDIAN_TOLERANCE,
  },
  {
    figure: "sub-agent relay at model pace: p50 (ms)",
    get: (r) => r.subAgents.paced.p50,
    tolerance: MEDIAN_TOLERANCE,
  },
  {
    figure: "sub-agent relay, whole answer at once: p50 (ms)",
    get: (r) => r.subAgents.burst.p50,
    tolerance: MEDIAN_TOLERANCE,
  },
  { figure: "memory commit: p50 (ms)", get: (r) => r.memory.warm?.commit.p50, tolerance: MEDIAN_TOLERANCE },
  { figure: "worker bundle (KB gzip)", get: (r) => r.bundles.workerGzipKb, tolerance: 0.05 },
];

export interface RepeatRow {
  figure: string;
  previous: number;
  current: number;
  /** |current − previous| / previous. */
  change: number;
  tolerance: number;
  within: boolean;
}

/** Each compared figure of this run against the previous run's; figures either run lacks are left out. */
export function compareRuns(previous: BenchReport, current: BenchReport): RepeatRow[] {
  return FIGURES.flatMap(({ figure, get, tolerance }) => {
    const before = safely(() => get(previous));
    const now = safely(() => get(current));
    if (before === undefined || now === undefined || !(before > 0)) return [];
    const change = Math.abs(now - before) / before;
    return [{ figure, previous: before, current: now, change, tolerance, within: change <= tolerance }];
  });
}

const safely = (read: () => number | undefined) => {
  try {
    const value = read();
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
};

export function repeatabilityMarkdown(rows: RepeatRow[], previousAt: string): string {
  const pct = (n: number) => `${Math.round(n * 100)}%`;
  return [
    "## Repeatability",
    "",
    `Against the previous run on this machine (${previousAt}). Tolerance: ratios ±${pct(RATIO_TOLERANCE)}, medians ±${pct(MEDIAN_TOLERANCE)}; p99s are not compared (they follow the machine's other load).`,
    "",
    "| figure | previous | this run | change | tolerance | within |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.figure} | ${r.previous} | ${r.current} | ${pct(r.change)} | ±${pct(r.tolerance)} | ${r.within ? "yes" : "NO"} |`,
    ),
    "",
  ].join("\n");
}
