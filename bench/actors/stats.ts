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

/** The three implementations compared: GrowQR's RivetKit actors, the Cloudflare Agents SDK, a plain DO. */
export type Side = "rivet" | "agents" | "plain";

/** GrowQR's figure against one baseline from the same run. */
export interface Versus {
  p50Ratio: number;
  p99Ratio: number;
  /** What GrowQR adds in ms (the ratios hide it when a fixed cost, e.g. wrangler dev's proxy, dominates). */
  p50DeltaMs: number;
  p99DeltaMs: number;
  /** The ratio GrowQR is held to, at p50 and at p99. */
  target: number;
  /** Both ratios within the target. */
  pass: boolean;
}

export function versus(value: Latency, base: Latency, target: number): Versus {
  const p50Ratio = ratio(value.p50, base.p50);
  const p99Ratio = ratio(value.p99, base.p99);
  return {
    p50Ratio,
    p99Ratio,
    p50DeltaMs: round3(value.p50 - base.p50),
    p99DeltaMs: round3(value.p99 - base.p99),
    target,
    pass: p50Ratio <= target && p99Ratio <= target,
  };
}

/** Issue 22's targets: GrowQR at most this many times the Agents SDK, and the plain DO, at p50 and p99. */
export interface Targets {
  agents: number;
  plain: number;
}

/** One path measured on all three sides in the same run, GrowQR held to both targets. */
export interface PeerComparison {
  rivet: Latency;
  agents: Latency;
  plain: Latency;
  vsAgents: Versus;
  vsPlain: Versus;
  /** Both comparisons within their targets. */
  pass: boolean;
}

export function peerComparison(sides: Record<Side, Latency>, targets: Targets): PeerComparison {
  const vsAgents = versus(sides.rivet, sides.agents, targets.agents);
  const vsPlain = versus(sides.rivet, sides.plain, targets.plain);
  return { ...sides, vsAgents, vsPlain, pass: vsAgents.pass && vsPlain.pass };
}

/**
 * The order of `items` in round `round`: the rounds cycle through every permutation (for two sides a b, b a, …
 * i.e. ABBA; for three, all six orders), so slow drift of the machine and whatever runs first or last in a round
 * land on every side equally.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const orders = permutations(items);
  return orders[round % orders.length] ?? [...items];
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/**
 * Runs every side `rounds` times, one round after another, each round in the next order of `roundOrder`
 * (each call awaited before the next). Returns each side's durations in ms.
 */
export async function interleaved<K extends string>(
  rounds: number,
  sides: Record<K, (i: number) => Promise<unknown>>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(sides) as K[];
  const out = Object.fromEntries(keys.map((key) => [key, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < rounds; i++) {
    for (const key of roundOrder(keys, i)) {
      const started = performance.now();
      await sides[key](i);
      out[key].push(performance.now() - started);
    }
  }
  return out;
}

const round3 = (ms: number) => Math.round(ms * 1_000) / 1_000;
