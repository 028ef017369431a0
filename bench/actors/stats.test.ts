import { describe, expect, it } from "vitest";
import { type ActorBenchResult, formatActorBench, settingsFromEnv } from "./report";
import { comparison, interleaved, latency, ratio } from "./stats";

describe("actor bench statistics", () => {
  it("takes nearest-rank p50/p99 in ms to the microsecond", () => {
    const samples = Array.from({ length: 100 }, (_, i) => (i + 1) / 1_000 + 0.3);
    expect(latency(samples)).toEqual({ n: 100, p50: 0.35, p99: 0.399 });
    expect(latency([0.4567891, 0.1234567, 0.2])).toEqual({ n: 3, p50: 0.2, p99: 0.457 });
  });

  it("compares RivetKit with plain by ratio and by the ms it adds", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    const within = comparison([0.6, 0.6, 0.9], [0.5, 0.5, 0.75], 1.5);
    expect(within).toMatchObject({
      p50Ratio: 1.2,
      p99Ratio: 1.2,
      p50DeltaMs: 0.1,
      p99DeltaMs: 0.15,
      pass: true,
    });
    // Both ratios must be within the target.
    expect(comparison([0.6, 0.6, 2], [0.5, 0.5, 1], 1.5)).toMatchObject({ p99Ratio: 2, pass: false });
  });

  it("interleaves the two sides in ABBA order", async () => {
    const order: string[] = [];
    const result = await interleaved(
      4,
      async (i) => order.push(`a${i}`),
      async (i) => order.push(`b${i}`),
    );
    expect(order).toEqual(["a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3"]);
    expect(result.a).toHaveLength(4);
    expect(result.b).toHaveLength(4);
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
  const result: ActorBenchResult = {
    settings: { samples: 3, warmup: 0, encoding: "bare", clients: 2, broadcasts: 2 },
    targetRatio: 1.5,
    webSocket: comparison([0.6, 0.6, 0.9], [0.5, 0.5, 0.75], 1.5),
    http: comparison([6, 6, 20], [5, 5, 10], 1.5),
    broadcast: {
      clients: 2,
      events: 2,
      expected: 4,
      rivet: {
        delivered: 3,
        complete: false,
        deliveryMs: latency([1, 2, 3]),
        lastDeliveryMs: latency([2, 3]),
      },
      plain: {
        delivered: 4,
        complete: true,
        deliveryMs: latency([1, 1, 1, 1]),
        lastDeliveryMs: latency([1, 1]),
      },
      p50Ratio: 2,
      p99Ratio: 3,
    },
  };

  it("prints both comparisons with ratio, delta and verdict, and the broadcast's completeness", () => {
    const lines = formatActorBench(result).split("\n");
    expect(lines).toHaveLength(13);
    expect(lines[1]).toMatch(
      /^actor: action over open WebSocket\s+n=\s+3\s+p50\s+0\.600 ms\s+p99\s+0\.900 ms$/,
    );
    expect(lines[3]).toMatch(
      /p50 1\.20× \(\+0\.100 ms\)\s+p99 1\.20× \(\+0\.150 ms\)\s+target ≤ 1\.5×: PASS$/,
    );
    expect(lines[6]).toMatch(/p99 2\.00× \(\+10\.000 ms\)\s+target ≤ 1\.5×: MISS$/);
    expect(lines[11]).toMatch(/^ {2}broadcast RivetKit \/ plain\s+p50 2\.00×\s+p99 3\.00×\s+\(no target\)$/);
    expect(lines[12]).toBe("  delivered: RivetKit 3/4 INCOMPLETE, plain 4/4 (2 events × 2 clients)");
  });
});
