import { Cron } from "croner";

/**
 * When a schedule's slots fall and what to do about a slot that is due, as pure functions of the schedule and the
 * clock; the growAgent's alarm only carries them out (schedule-runner.ts).
 *
 * Time zones are IANA names and slots are computed in the zone's wall clock (croner), which makes DST explicit:
 * a slot in the spring-forward gap (02:30 on the night clocks jump 02:00 → 03:00) runs once, shifted forward by
 * the gap (03:30); a slot in the autumn overlap (01:30 that happens twice) runs once, at its first occurrence.
 */

export const MISSED_POLICIES = ["run_once", "skip"] as const;
export type MissedPolicy = (typeof MISSED_POLICIES)[number];

export type ScheduleTiming =
  | { kind: "cron"; cron: string; timeZone: string }
  | { kind: "once"; runAt: Date; timeZone: string };

/** A slot later than this after its time counts as missed (the Worker was down); within it, it is on time. */
export const ON_TIME_GRACE_MS = 5 * 60_000;

/** Five fields (minute hour day month weekday): a schedule fires at most once a minute. */
const CRON_FIELDS = 5;
export const MAX_CRON_LENGTH = 120;
/** A schedule's prompt, sent as a user message at each run (the table checks it too). */
export const MAX_PROMPT_LENGTH = 8_000;

export type TimingProblem = { field: "cron" | "timeZone" | "runAt"; message: string };

/** IANA names only: Intl also takes offsets ("+01:00"), which have no DST and would not say where the user is. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

export function isTimeZone(zone: string): boolean {
  if (!ZONE_NAME.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why a timing cannot be a schedule, or undefined when it can. A one-off must lie in the future. */
export function checkTiming(timing: ScheduleTiming, now: Date): TimingProblem | undefined {
  if (!isTimeZone(timing.timeZone)) {
    return { field: "timeZone", message: "Not an IANA time zone (e.g. Europe/Berlin)" };
  }
  if (timing.kind === "once") {
    if (Number.isNaN(timing.runAt.getTime())) return { field: "runAt", message: "Not a date" };
    if (timing.runAt.getTime() <= now.getTime()) return { field: "runAt", message: "The time has passed" };
    return undefined;
  }
  const fields = timing.cron.trim().split(/\s+/);
  if (timing.cron.length > MAX_CRON_LENGTH || fields.length !== CRON_FIELDS) {
    return { field: "cron", message: "A cron expression has five fields: minute hour day month weekday" };
  }
  try {
    if (!cronOf(timing).nextRun(now)) return { field: "cron", message: "The expression never fires" };
  } catch {
    return { field: "cron", message: "Not a valid cron expression" };
  }
  return undefined;
}

// Vixie-cron semantics: a day-of-month and a weekday both restricted means either (croner's legacy mode).
const cronOf = (timing: { cron: string; timeZone: string }) =>
  new Cron(timing.cron.trim(), { timezone: timing.timeZone, legacyMode: true });

/** The first slot strictly after `after`, or null when there is none (a one-off that has passed). */
export function nextSlot(timing: ScheduleTiming, after: Date): Date | null {
  if (timing.kind === "once") return timing.runAt.getTime() > after.getTime() ? timing.runAt : null;
  return cronOf(timing).nextRun(after);
}

/** How many slots fall in (after, after + windowMs], counting no further than `max`. */
export function slotsWithin(timing: ScheduleTiming, after: Date, windowMs: number, max: number): number {
  const end = after.getTime() + windowMs;
  let n = 0;
  for (
    let slot = nextSlot(timing, after);
    slot && slot.getTime() <= end && n < max;
    slot = nextSlot(timing, slot)
  ) {
    n++;
  }
  return n;
}

/** The next `count` slots after `after`, for display. */
export function upcomingSlots(timing: ScheduleTiming, after: Date, count: number): Date[] {
  const slots: Date[] = [];
  let from = after;
  for (let i = 0; i < count; i++) {
    const slot = nextSlot(timing, from);
    if (!slot) break;
    slots.push(slot);
    from = slot;
  }
  return slots;
}

export type DueDecision =
  /** Nothing to do before `wakeAt`. */
  | { kind: "wait"; wakeAt: Date }
  /** Run `slot` (exactly once: its idempotency key is the schedule and the slot); the next slot after it follows. */
  | { kind: "run"; slot: Date; late: boolean; next: Date | null }
  /** The latest slot was missed and the policy skips missed slots: record it skipped, wait for `next`. */
  | { kind: "skip"; slot: Date; next: Date | null };

/**
 * What to do about a schedule whose pending slot is `pending` at `now`. Several slots missed while the Worker
 * was down collapse into the latest of them: it runs once (`run_once`) or is skipped (`skip`); a slot within
 * `ON_TIME_GRACE_MS` of its time is on time and runs under either policy.
 */
export function decideDue(
  timing: ScheduleTiming,
  pending: Date,
  now: Date,
  policy: MissedPolicy,
  graceMs = ON_TIME_GRACE_MS,
): DueDecision {
  if (pending.getTime() > now.getTime()) return { kind: "wait", wakeAt: pending };
  const latest = latestDueSlot(timing, pending, now);
  const late = now.getTime() - latest.getTime() > graceMs;
  if (late && policy === "skip") return { kind: "skip", slot: latest, next: nextSlot(timing, now) };
  return { kind: "run", slot: latest, late, next: nextSlot(timing, latest) };
}

function latestDueSlot(timing: ScheduleTiming, pending: Date, now: Date): Date {
  if (timing.kind === "once") return pending;
  // The cron's own latest slot at or before now, unless that is older than the pending one.
  // croner works in whole seconds: from a second later, a slot at or just before `now` is not rounded away.
  const previous = cronOf(timing)
    .previousRuns(2, new Date(now.getTime() + 1_000))
    .find((slot) => slot.getTime() <= now.getTime());
  return previous && previous.getTime() > pending.getTime() ? previous : pending;
}

/**
 * The idempotency key of a slot's message: a run retried after a restart stores its message once (the thread's
 * unique `(thread_id, idempotency_key)`), whichever attempt got there first.
 */
export const slotKey = (scheduleId: string, slot: Date) => `schedule:${scheduleId}:${slot.toISOString()}`;
