/** Small, locale-aware formatting shared by the views (pure; unit-tested). */

/** 1 234 ms → "1.2 s"; 95 000 ms → "1 min 35 s"; 3 900 000 ms → "1 h 5 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) {
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.round((seconds % 3_600) / 60);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** US dollars; amounts under a cent keep four decimals so a small cost does not read as nothing. */
export function formatUsd(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return "—";
  if (amount === 0) return "$0.00";
  return `$${amount.toFixed(Math.abs(amount) < 0.01 ? 4 : 2)}`;
}

export const formatNumber = (value: number): string => value.toLocaleString("en-US");

/** "3 Jul 2026" (the reader's locale order), or the text as it came when it is not a date. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** "3 Jul 2026, 14:05". */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Share of the allowance used, 0–100 (over 100 shows as 100). */
export function percentUsed(used: number, allowance: number): number {
  if (allowance <= 0) return used > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, (used / allowance) * 100));
}

/** A message's time: "14:05" today, "3 Jul, 14:05" earlier this year, else with the year. */
export function formatMessageTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === now.toDateString()) return time;
  const day = date.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    year: date.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
  return `${day}, ${time}`;
}
