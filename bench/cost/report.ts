/** Plain-text tables for `npm run cost` (markdown, so docs/cost.md can take them as printed). */
import { COMPONENTS, type Costs } from "./cost-model";
import type { UserClass } from "./mix";
import { PRICES, READ_ON } from "./prices";
import type { Bill } from "./scenarios";

export const usd = (n: number): string =>
  n >= 100 ? `$${Math.round(n).toLocaleString("en-US")}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`;

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function mixTable(mix: readonly UserClass[]): string {
  const rows = mix.map((c) => [
    c.name,
    `${c.share * 100}%`,
    `${c.monthlyActiveShare * 100}%`,
    String(c.activeDays),
    String(c.perActiveDay.turns),
    `${c.perActiveDay.subAgentMinutes} in ${c.perActiveDay.subAgentSessions}`,
    `${c.perActiveDay.memoryWrites} (${c.perActiveDay.memoryWakes} wake Gitea)`,
    String(c.perActiveDay.openTabHours),
    String(c.perActiveDay.pageLoads),
    `${c.stackShare * 100}%`,
  ]);
  return table(
    [
      "class",
      "of users",
      "active in the month",
      "active days",
      "turns / day",
      "sub-agent min / day (bring-ups)",
      "memory writes / day",
      "open-tab h / day",
      "page loads / day",
      "have a stack",
    ],
    rows,
  );
}

export function billTable(scales: readonly number[], today: Bill[], hibernating: Bill[]): string {
  const rows = COMPONENTS.map((c) => [c, ...today.map((b) => usd(b.costs[c]))]);
  rows.push(["**total, today**", ...today.map((b) => `**${usd(b.total)}**`)]);
  rows.push(["Durable Objects with hibernation", ...hibernating.map((b) => usd(b.costs["Durable Objects"]))]);
  rows.push(["total with hibernation", ...hibernating.map((b) => usd(b.total))]);
  rows.push([
    "daily active users",
    ...today.map((b) => Math.round(b.usage.dailyActiveUsers).toLocaleString("en-US")),
  ]);
  rows.push(["per daily active user, today", ...today.map((b) => usd(b.perDailyActive))]);
  rows.push(["per registered user, today", ...today.map((b) => usd(b.perRegistered))]);
  return table(["per month", ...scales.map((s) => `${s.toLocaleString("en-US")} users`)], rows);
}

export function costsTable(columns: { title: string; costs: Costs; total: number }[]): string {
  const rows = COMPONENTS.map((c) => [c, ...columns.map((col) => usd(col.costs[c]))]);
  rows.push(["**total**", ...columns.map((col) => `**${usd(col.total)}**`)]);
  return table(["per user per month", ...columns.map((c) => c.title)], rows);
}

export function priceTable(): string {
  const rows: string[][] = [];
  for (const [provider, entries] of Object.entries(PRICES)) {
    for (const [name, p] of Object.entries(entries)) {
      rows.push([`${provider}.${name}`, String(p.value), p.unit, p.source, p.assumed ?? "list price"]);
    }
  }
  return `Prices read ${READ_ON}.\n\n${table(["price", "value", "unit", "source", "note"], rows)}`;
}
