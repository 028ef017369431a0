import { CPU_ROLES } from "./process-cpu";
import type { Comparison } from "./report";

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Several rounds of the same scenarios as one row each: the median of every figure and of every round's own ratio
 * to the baseline. On a shared machine the load drifts within seconds, so a ratio taken inside one round (the
 * baseline measured just before) and then the median over rounds moves far less than one long run of each.
 * Failed requests add up.
 */
export function combineRounds(rounds: Comparison[][]): Comparison[] {
  const first = rounds[0] ?? [];
  return first.map((row, i) => {
    const same = rounds.map((round) => round[i]).filter((r): r is Comparison => r !== undefined);
    const mid = (pick: (r: Comparison) => number) => median(same.map(pick));
    return {
      ...row,
      requests: same.reduce((n, r) => n + r.requests, 0),
      non2xx: same.reduce((n, r) => n + r.non2xx, 0),
      errors: same.reduce((n, r) => n + r.errors, 0),
      requestsPerSecond: mid((r) => r.requestsPerSecond),
      p50Ms: mid((r) => r.p50Ms),
      p99Ms: mid((r) => r.p99Ms),
      p50Ratio: mid((r) => r.p50Ratio),
      p99Ratio: mid((r) => r.p99Ratio),
      throughputRatio: mid((r) => r.throughputRatio),
      cpuMsPerRequest: Object.fromEntries(
        CPU_ROLES.map((role) => [role, mid((r) => r.cpuMsPerRequest?.[role] ?? 0)]),
      ),
      cpuTotalMsPerRequest: mid((r) => r.cpuTotalMsPerRequest ?? 0),
    };
  });
}
