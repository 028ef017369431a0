import { describe, expect, it } from "vitest";
import { type BenchReport, summaryMarkdown, summaryRows } from "./summary";

const l = (p50: number, p99: number) => ({ n: 10, p50, p99 });
const comparison = (pass: boolean) => ({
  rivet: l(1, 2),
  plain: l(1, 2),
  p50Ratio: pass ? 1.1 : 2,
  p99Ratio: 1,
  p50DeltaMs: 0,
  p99DeltaMs: 0,
  pass,
});
const fanout = { delivered: 10, complete: true, deliveryMs: l(1, 2), lastDeliveryMs: l(1, 2) };

const report = {
  results: [
    {
      name: "GET /api/health",
      path: "/api/health",
      requests: 10,
      non2xx: 0,
      errors: 0,
      requestsPerSecond: 5,
      p50Ms: 2,
      p99Ms: 4,
      p50Ratio: 2,
      p99Ratio: 2,
      throughputRatio: 0.5,
    },
  ],
  dbRoundTripsPerWarmThreadsRequest: 1,
  stack: {
    users: 1,
    coldCreateMs: l(1, 2),
    wakeFromSuspendedMs: l(1, 2),
    warmEnsureMs: l(1, 2),
    plainDoRpcMs: l(1, 2),
    warmOverheadP50Ms: 0.5,
    warmOverheadP99Ms: 1,
  },
  actors: {
    settings: { samples: 1, warmup: 1, encoding: "bare", clients: 100, broadcasts: 1 },
    targetRatio: 1.5,
    webSocket: comparison(true),
    http: comparison(false),
    broadcast: {
      clients: 100,
      events: 1,
      expected: 100,
      rivet: fanout,
      plain: fanout,
      p50Ratio: 1,
      p99Ratio: 1,
    },
  },
  agent: {
    firstDelta: l(3, 15),
    broadcastRoundTrip: l(2, 12),
    firstDeltaTargetMs: 10,
    pass: false,
    fanout: {
      clients: 100,
      eventsPerTurn: 1,
      deliveries: 100,
      seconds: 1,
      eventsPerSecond: 100,
      complete: true,
    },
  },
  sendPath: {
    sends: 40,
    rest: { toTurnStarted: l(40, 80), acknowledged: l(30, 60), roundTripsToAck: 7, roundTripsPerTurn: 15 },
    live: { toTurnStarted: l(20, 40), acknowledged: l(15, 30), roundTripsToAck: 7, roundTripsPerTurn: 15 },
  },
  memory: {
    warm: { readL2: l(5, 9), readGit: l(20, 40), commit: l(60, 90) },
    suspended: {
      readL2: l(5, 9),
      readMiss: l(400, 900),
      commitAcknowledged: l(300, 600),
      commitInGit: l(400, 800),
    },
  },
  subAgents: {
    paced: l(300, 500),
    paceMs: 10,
    relayTargetMs: 20,
    pass: false,
    burst: l(400, 600),
    parallel: { subAgents: 4, events: 300, seconds: 3, eventsPerSecond: 100, allCompleted: true },
  },
  bundles: { workerGzipKb: 800, webInitialJsGzipKb: 64 },
} as BenchReport;

describe("benchmark summary", () => {
  it("holds each figure to its target against its same-run baseline", () => {
    const rows = summaryRows(report);
    const row = (figure: string) => rows.find((r) => r.figure.startsWith(figure));
    expect(row("actor action over WebSocket")?.pass).toBe(true);
    expect(row("actor stateless HTTP action")?.pass).toBe(false);
    expect(row("model first delta")).toMatchObject({ pass: false, target: "p99 < 10 ms" });
    expect(row("web initial JS")).toMatchObject({ value: "64 KB", pass: true });
    expect(row("commit_memory")?.pass).toBeUndefined();
  });

  it("writes a markdown table with a result column", () => {
    const markdown = summaryMarkdown(summaryRows(report), { measuredAt: "now", machine: "2 CPUs" });
    expect(markdown).toContain("| figure | value | baseline | ratio | target | result |");
    expect(markdown).toMatch(/\| model first delta → client \| p50 3 ms \/ p99 15 ms \|.*\| FAIL \|/);
  });
});
