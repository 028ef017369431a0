import type { ThreadEvent } from "../../../contract/events";

/** The thread the unit tests' events belong to. */
const T = "thread-1";

let clock = 0;

/** A thread event as the server sends it, one second after the previous one made here (for the SPA's unit tests). */
export const ev = (seq: number, type: string, data: Record<string, unknown> = {}): ThreadEvent => ({
  threadId: T,
  seq,
  type,
  data,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
});
