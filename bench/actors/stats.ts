import { percentiles } from "../stack-bench";

/** Latency percentiles in ms, to the microsecond (loopback round trips are well under a millisecond apart). */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
}

/** Nearest-rank p50/p99 of samples in ms (bench/stack-bench.ts `percentiles`, kept at µs precision). */
export function latency(samplesMs: number[]): Latency {
  const us = percentiles(samplesMs.map((ms) => ms * 1_000));
  return { n: us.n, p50: round3(us.p50 / 1_000), p99: round3(us.p99 / 1_000) };
}

/** `value / base` to two decimals; NaN when there is no base to compare with. */
export function ratio(value: number, base: number): number {
  return base > 0 ? Math.round((value / base) * 100) / 100 : Number.NaN;
}

/** A RivetKit path against its plain Durable Object baseline from the same run. */
export interface Comparison {
  rivet: Latency;
  plain: Latency;
  p50Ratio: number;
  p99Ratio: number;
  /** What RivetKit adds in ms (the ratios hide it when a fixed cost, e.g. wrangler dev's proxy, dominates). */
  p50DeltaMs: number;
  p99DeltaMs: number;
  /** Both ratios within the target. */
  pass: boolean;
}

export function comparison(rivetMs: number[], plainMs: number[], target: number): Comparison {
  const rivet = latency(rivetMs);
  const plain = latency(plainMs);
  const p50Ratio = ratio(rivet.p50, plain.p50);
  const p99Ratio = ratio(rivet.p99, plain.p99);
  return {
    rivet,
    plain,
    p50Ratio,
    p99Ratio,
    p50DeltaMs: round3(rivet.p50 - plain.p50),
    p99DeltaMs: round3(rivet.p99 - plain.p99),
    pass: p50Ratio <= target && p99Ratio <= target,
  };
}

/**
 * Runs `a` and `b` `rounds` times each in ABBA order (a b, b a, a b, …), so slow drift of the machine and
 * whatever runs second in a pair land on both sides equally. Returns each side's durations in ms.
 */
export async function interleaved(
  rounds: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  const timed = async (fn: (i: number) => Promise<unknown>, i: number, into: number[]) => {
    const started = performance.now();
    await fn(i);
    into.push(performance.now() - started);
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await timed(a, i, out.a);
      await timed(b, i, out.b);
    } else {
      await timed(b, i, out.b);
      await timed(a, i, out.a);
    }
  }
  return out;
}

const round3 = (ms: number) => Math.round(ms * 1_000) / 1_000;
