import type { Measurement } from "./measure";

export interface Comparison extends Measurement {
  /** Against the baseline measured in the same run: > 1 means slower (latency) or faster (throughput). */
  p50Ratio: number;
  p99Ratio: number;
  throughputRatio: number;
}

const ratio = (value: number, base: number) =>
  base > 0 ? Math.round((value / base) * 100) / 100 : Number.NaN;

export function compare(baseline: Measurement, measurements: Measurement[]): Comparison[] {
  return measurements.map((m) => ({
    ...m,
    p50Ratio: ratio(m.p50Ms, baseline.p50Ms),
    p99Ratio: ratio(m.p99Ms, baseline.p99Ms),
    throughputRatio: ratio(m.requestsPerSecond, baseline.requestsPerSecond),
  }));
}

export function formatTable(rows: Comparison[]): string {
  const header = [
    "scenario",
    "req/s",
    "p50 ms",
    "p99 ms",
    "p50 ×base",
    "p99 ×base",
    "req/s ×base",
    "non-2xx",
  ];
  const body = rows.map((r) => [
    r.name,
    String(r.requestsPerSecond),
    String(r.p50Ms),
    String(r.p99Ms),
    r.p50Ratio.toFixed(2),
    r.p99Ratio.toFixed(2),
    r.throughputRatio.toFixed(2),
    String(r.non2xx + r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
