import type { Measurement } from "./measure";
import { CPU_ROLES, totalCpu } from "./process-cpu";

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
  return textTable(header, body);
}

/**
 * Each scenario's CPU per request by process, and its total against the baseline's: on this machine the latency
 * ratio under load follows the total, so this says which process a route's ratio comes from.
 */
export function formatCpuTable(rows: Comparison[]): string {
  const total = (r: Comparison) => r.cpuTotalMsPerRequest ?? totalCpu(r.cpuMsPerRequest ?? {});
  const baseline = rows[0] ? total(rows[0]) : 0;
  const header = ["CPU ms per request", ...CPU_ROLES, "total", "total ×base"];
  const body = rows.map((r) => [
    r.name,
    ...CPU_ROLES.map((role) => (r.cpuMsPerRequest?.[role] ?? 0).toFixed(2)),
    total(r).toFixed(2),
    baseline > 0 ? (total(r) / baseline).toFixed(2) : "–",
  ]);
  return textTable(header, body);
}

function textTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
