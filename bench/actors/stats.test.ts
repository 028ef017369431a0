import { describe, expect, it } from "vitest";
import { type ActorBenchResult, formatActorBench, settingsFromEnv, TARGETS } from "./report";
import { interleaved, latency, peerComparison, ratio, roundOrder, versus } from "./stats";

describe("actor bench statistics", () => {
  it("takes nearest-rank p50/p99 in ms to the microsecond", () => {
    const samples = Array.from({ length: 100 }, (_, i) => (i + 1) / 1_000 + 0.3);
    expect(latency(samples)).toEqual({ n: 100, p50: 0.35, p99: 0.399 });
    expect(latency([0.4567891, 0.1234567, 0.2])).toEqual({ n: 3, p50: 0.2, p99: 0.457 });
  });

  it("compares GrowQR with a baseline by ratio and by the ms it adds", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    const within = versus(latency([0.6, 0.6, 0.9]), latency([0.5, 0.5, 0.75]), 1.3);
    expect(within).toEqual({
      p50Ratio: 1.2,
      p99Ratio: 1.2,
      p50DeltaMs: 0.1,
      p99DeltaMs: 0.15,
      target: 1.3,
      pass: true,
    });
    // Both ratios must be within the target.
    expect(versus(latency([0.6, 0.6, 2]), latency([0.5, 0.5, 1]), 1.3)).toMatchObject({
      p99Ratio: 2,
      pass: false,
    });
  });

  it("holds GrowQR to both issue 22 targets: ≤ 1.0× the Agents SDK and ≤ 1.3× the plain DO", () => {
    const l = (p50: number, p99: number) => ({ n: 10, p50, p99 });
    const faster = peerComparison({ rivet: l(1, 2), agents: l(1, 2), plain: l(0.8, 1.6) }, TARGETS);
    expect(faster).toMatchObject({
      vsAgents: { p50Ratio: 1, p99Ratio: 1, pass: true },
      vsPlain: { p50Ratio: 1.25, p99Ratio: 1.25, pass: true },
      pass: true,
    });
    // Slower than the Agents SDK fails even when within 1.3× of the plain DO.
    const slower = peerComparison({ rivet: l(1.1, 2), agents: l(1, 2), plain: l(1, 2) }, TARGETS);
    expect(slower).toMatchObject({ vsAgents: { pass: false }, vsPlain: { pass: true }, pass: false });
  });

  it("interleaves two sides in ABBA order", async () => {
    const order: string[] = [];
    const result = await interleaved(4, {
      a: async (i) => order.push(`a${i}`),
      b: async (i) => order.push(`b${i}`),
    });
    expect(order).toEqual(["a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3"]);
    expect(result.a).toHaveLength(4);
    expect(result.b).toHaveLength(4);
  });

  it("cycles three sides through all six orders, so each is first, middle and last equally often", async () => {
    const rounds = Array.from({ length: 6 }, (_, i) => roundOrder(["a", "b", "c"], i).join(""));
    expect(new Set(rounds).size).toBe(6);
    for (const position of [0, 1, 2]) {
      for (const side of ["a", "b", "c"]) {
        expect(rounds.filter((order) => order[position] === side)).toHaveLength(2);
      }
    }
    const result = await interleaved(6, { a: async () => {}, b: async () => {}, c: async () => {} });
    expect([result.a.length, result.b.length, result.c.length]).toEqual([6, 6, 6]);
  });

  it("reads settings from the environment", () => {
    expect(settingsFromEnv({})).toEqual({
      samples: 2000,
      warmup: 200,
      encoding: "bare",
      clients: 100,
      broadcasts: 200,
    });
    expect(settingsFromEnv({ BENCH_ACTOR_SAMPLES: "10", BENCH_ACTOR_ENCODING: "cbor" })).toMatchObject({
      samples: 10,
      encoding: "cbor",
    });
    expect(() => settingsFromEnv({ BENCH_ACTOR_ENCODING: "msgpack" })).toThrow(/bare, cbor or json/);
  });
});

describe("formatActorBench", () => {
  const sides = (rivet: number[], agents: number[], plain: number[]) =>
    peerComparison({ rivet: latency(rivet), agents: latency(agents), plain: latency(plain) }, TARGETS);
  const result: ActorBenchResult = {
    settings: { samples: 3, warmup: 0, encoding: "bare", clients: 2, broadcasts: 2 },
    targets: TARGETS,
    webSocket: sides([0.6, 0.6, 0.9], [0.7, 0.7, 1], [0.5, 0.5, 0.75]),
    http: sides([6, 6, 20], [5, 5, 10], [5, 5, 10]),
    broadcast: {
      clients: 2,
      events: 2,
      expected: 4,
      delivered: { rivet: 3, agents: 4, plain: 4 },
      each: sides([1, 2, 3], [2, 2, 2, 2], [1, 1, 1, 1]),
      last: sides([2, 3], [2, 2], [1, 1]),
    },
  };

  it("prints the three sides, GrowQR's ratios to each with delta and verdict, and the broadcast's completeness", () => {
    const lines = formatActorBench(result).split("\n");
    expect(lines).toHaveLength(22);
    expect(lines[1]).toMatch(
      /^GrowQR: action over open WebSocket\s+n=\s+3\s+p50\s+0\.600 ms\s+p99\s+0\.900 ms$/,
    );
    expect(lines[2]).toMatch(/^Agents SDK: callable over AgentClient\s+n=\s+3\s+p50\s+0\.700 ms/);
    expect(lines[4]).toMatch(
      /^ {2}GrowQR \/ Agents SDK\s+p50 0\.86× \(-0\.100 ms\)\s+p99 0\.90× \(-0\.100 ms\)\s+target ≤ 1\.0×: PASS$/,
    );
    expect(lines[5]).toMatch(
      /^ {2}GrowQR \/ plain DO\s+p50 1\.20× \(\+0\.100 ms\)\s+p99 1\.20× \(\+0\.150 ms\)\s+target ≤ 1\.3×: PASS$/,
    );
    expect(lines[9]).toMatch(/p99 2\.00× \(\+10\.000 ms\)\s+target ≤ 1\.0×: MISS$/);
    expect(lines[21]).toBe(
      "  delivered: GrowQR 3/4 INCOMPLETE, Agents SDK 4/4, plain 4/4 (2 events × 2 clients)",
    );
  });
});
