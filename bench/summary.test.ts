import { describe, expect, it } from "vitest";
import { TARGETS } from "./actors/report";
import { peerComparison } from "./actors/stats";
import { type BenchReport, summaryMarkdown, summaryRows } from "./summary";

const l = (p50: number, p99: number) => ({ n: 10, p50, p99 });

const report = {
  results: [
    {
      name: "static /api/version",
      path: "/api/version",
      requests: 20,
      non2xx: 0,
      errors: 0,
      requestsPerSecond: 10,
      p50Ms: 1,
      p99Ms: 2,
      p50Ratio: 1,
      p99Ratio: 1,
      throughputRatio: 1,
    },
    {
      name: "GET /api/threads",
      path: "/api/threads",
      requests: 14,
      non2xx: 0,
      errors: 0,
      requestsPerSecond: 7,
      p50Ms: 1.4,
      p99Ms: 3,
      p50Ratio: 1.4,
      p99Ratio: 1.5,
      throughputRatio: 0.7,
      cpuMsPerRequest: { workerd: 2.5, "database (PGlite)": 1, "bench (load, Neon proxy)": 0.5 },
    },
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
    targets: TARGETS,
    // Faster than the Agents SDK, 1.25× the plain DO: both targets met.
    webSocket: peerComparison({ rivet: l(1, 2), agents: l(1.2, 2.5), plain: l(0.8, 1.6) }, TARGETS),
    // Within 1.3× of the plain DO but slower than the Agents SDK at p50.
    http: peerComparison({ rivet: l(5.5, 10), agents: l(5, 12), plain: l(5, 9) }, TARGETS),
    broadcast: {
      clients: 100,
      events: 1,
      expected: 100,
      delivered: { rivet: 99, agents: 100, plain: 100 },
      each: peerComparison({ rivet: l(1, 2), agents: l(1, 2), plain: l(1, 2) }, TARGETS),
      last: peerComparison({ rivet: l(2, 3), agents: l(2, 3), plain: l(1, 2) }, TARGETS),
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
    expect(row("static /api/version")).toMatchObject({ target: "no failed requests", pass: true });
    expect(row("GET /api/threads")).toMatchObject({
      value: "p50 1.4 ms / p99 3 ms, 7 req/s; CPU 4.0 ms/request (workerd 2.5)",
      ratio: "1.40× / 1.50×",
      target: "p50 ≤ 1.5×, no failed requests",
      pass: true,
    });
    expect(row("GET /api/health")).toMatchObject({ ratio: "2.00× / 2.00×", pass: false });
    expect(row("actor action over WebSocket vs Agents SDK")).toMatchObject({
      value: "p50 1 ms / p99 2 ms",
      baseline: "Agents SDK callable (AgentClient) p50 1.2 ms / p99 2.5 ms",
      ratio: "0.83× / 0.80×",
      target: "≤ 1.0× at p50 and p99",
      pass: true,
    });
    expect(row("actor action over WebSocket vs raw DO")).toMatchObject({
      ratio: "1.25× / 1.25×",
      target: "≤ 1.3× at p50 and p99",
      pass: true,
    });
    expect(row("actor stateless HTTP action vs Agents SDK")).toMatchObject({
      ratio: "1.10× / 0.83×",
      pass: false,
    });
    expect(row("actor stateless HTTP action vs raw DO")?.pass).toBe(true);
    expect(row("broadcast to 100 clients (each delivery) vs Agents SDK")?.pass).toBe(true);
    expect(row("broadcast to 100 clients (last client) vs raw DO")).toMatchObject({
      ratio: "2.00× / 1.50×",
      pass: false,
    });
    expect(row("broadcast to 100 clients: deliveries")).toMatchObject({
      value: "99/100",
      baseline: "Agents SDK 100, plain DO 100",
      pass: false,
    });
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
