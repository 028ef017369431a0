import type { ThreadEvent } from "../../../contract/events";

/**
 * Merging a thread's events (pure: no DOM, no network). They arrive from two places, the live actor connection and
 * `GET /api/threads/:id/events?after=` pages: `mergeEvents` applies them strictly in seq order, drops what was
 * already applied (seq ≤ last seen) or is already waiting, and holds back events that arrive ahead of a gap until
 * the gap is filled. The envelope: contract/events.ts.
 */
export interface EventLog {
  /** Highest seq applied; every seq up to it has been applied exactly once. */
  lastSeq: number;
  /** Events seen ahead of a gap, by seq. */
  pending: Map<number, ThreadEvent>;
}

export const createEventLog = (lastSeq = 0): EventLog => ({ lastSeq, pending: new Map() });

/**
 * Adds events from any source, in any order, with repeats, and returns the ones that can now be applied, in seq
 * order with no gaps (`lastSeq + 1`, `lastSeq + 2`, …). `log` is updated.
 */
export function mergeEvents(log: EventLog, incoming: readonly ThreadEvent[]): ThreadEvent[] {
  for (const event of incoming) {
    if (!Number.isInteger(event.seq) || event.seq <= log.lastSeq || log.pending.has(event.seq)) continue;
    log.pending.set(event.seq, event);
  }
  const ready: ThreadEvent[] = [];
  for (;;) {
    const next = log.pending.get(log.lastSeq + 1);
    if (!next) break;
    log.pending.delete(next.seq);
    log.lastSeq = next.seq;
    ready.push(next);
  }
  return ready;
}

/** True when events were seen past a missing seq: the missing ones must be fetched (`after=lastSeq`). */
export const hasGap = (log: EventLog): boolean => log.pending.size > 0;

const TURN_ENDS: ReadonlySet<string> = new Set([
  "turn.completed",
  "turn.cancelled",
  "turn.failed",
  "turn.interrupted",
]);

/** Whether a turn is running after these events: one started and none of its ends came after it. */
export function turnRunningAfter(running: boolean, events: readonly ThreadEvent[]): boolean {
  for (const event of events) {
    if (event.type === "turn.started") running = true;
    else if (TURN_ENDS.has(event.type)) running = false;
  }
  return running;
}
