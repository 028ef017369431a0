/**
 * The sidebar's search and date groups, pure (no DOM, no clock of its own: `now` is passed in) so they are tested
 * without a browser. The API has no search parameter and the sidebar already holds the user's first 100 threads,
 * so the filter runs over that list.
 */

export interface Dated {
  title: string;
  /** ISO 8601; the list is ordered by creation (the ids are UUIDv7), so the groups go by it too. */
  createdAt: string;
}

export type GroupLabel = "Today" | "Yesterday" | "Previous 7 days" | "Older";

export interface ThreadGroup<T> {
  label: GroupLabel;
  threads: T[];
}

const LABELS: readonly GroupLabel[] = ["Today", "Yesterday", "Previous 7 days", "Older"];

/** Midnight of the day `days` before `now`'s, in the viewer's zone (so daylight-saving days are still one day). */
const startOfDay = (now: Date, days = 0) =>
  new Date(now.getFullYear(), now.getMonth(), now.getDate() - days).getTime();

function labelOf(createdAt: string, now: Date): GroupLabel {
  const at = Date.parse(createdAt);
  if (Number.isNaN(at)) return "Older";
  // Also a thread "in the future": a clock a little behind the server's would otherwise misplace a new one.
  if (at >= startOfDay(now)) return "Today";
  if (at >= startOfDay(now, 1)) return "Yesterday";
  if (at >= startOfDay(now, 7)) return "Previous 7 days";
  return "Older";
}

/**
 * The threads by calendar day of creation in the viewer's zone: Today, Yesterday, the 7 days before today (less
 * yesterday), Older. Empty groups are left out; within a group the order given is kept.
 */
export function groupByDate<T extends Dated>(threads: readonly T[], now: Date): ThreadGroup<T>[] {
  const byLabel = new Map<GroupLabel, T[]>();
  for (const thread of threads) {
    const label = labelOf(thread.createdAt, now);
    byLabel.set(label, [...(byLabel.get(label) ?? []), thread]);
  }
  return LABELS.flatMap((label) => {
    const list = byLabel.get(label);
    return list ? [{ label, threads: list }] : [];
  });
}

const fold = (text: string) => text.toLocaleLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");

/**
 * The threads whose shown title (`titleOf`: an empty title shows as "Untitled thread") contains every word of
 * `query`, ignoring case and accents. A blank query keeps them all.
 */
export function filterByTitle<T>(threads: readonly T[], query: string, titleOf: (thread: T) => string): T[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...threads];
  return threads.filter((thread) => {
    const title = fold(titleOf(thread));
    return words.every((word) => title.includes(word));
  });
}

/** The first moment of the next local calendar day after `now` (a second past midnight, whatever DST does). */
export function nextLocalDay(now: Date): Date {
  const next = new Date(now);
  next.setHours(24, 0, 1, 0);
  return next;
}
