/**
 * The per-thread turn decisions of the Grow Agent, as pure functions of the thread's turns and the clock: whether a
 * message waits, which turn starts next, what a cancel stops, what recovery may leave alone, and what the
 * turn-watch alarm does. `turn-controller.ts` carries them out (abort controllers, background work, alarms).
 */

/** One thread as this instance sees it. Immutable: every decision returns the next value. */
export interface ThreadTurns {
  /** The turn running in the thread, if any. */
  readonly running?: string;
  /** Stored user messages waiting for the running turn to end, oldest first. */
  readonly queue: readonly string[];
}

export const NO_TURNS: ThreadTurns = { queue: [] };

/**
 * A stored message joins the thread's queue. It is answered `queued` when something runs or waits before it, so
 * the answer says whether its turn starts now, and order is kept even between a turn's end and the next start.
 */
export function admit(turns: ThreadTurns, messageId: string): { turns: ThreadTurns; queued: boolean } {
  const queued = turns.running !== undefined || turns.queue.length > 0;
  return { turns: { ...turns, queue: [...turns.queue, messageId] }, queued };
}

export type NextTurn =
  /** A turn runs: the queue waits for it to end. */
  | { kind: "busy" }
  /** Nothing runs or waits: the thread needs no entry any more. */
  | { kind: "idle" }
  /**
   * The oldest waiting message gets turn `turnId`. `waiting` are the messages still behind it, which its history
   * must not show (they were stored when they arrived, before this turn answers).
   */
  | { kind: "start"; messageId: string; turnId: string; waiting: ReadonlySet<string>; turns: ThreadTurns };

/** `turnId` is the id the turn gets if one starts (ids are random, so the caller makes them). */
export function planNext(turns: ThreadTurns, turnId: string): NextTurn {
  if (turns.running !== undefined) return { kind: "busy" };
  const [messageId, ...rest] = turns.queue;
  if (messageId === undefined) return { kind: "idle" };
  return {
    kind: "start",
    messageId,
    turnId,
    waiting: new Set(rest),
    turns: { running: turnId, queue: rest },
  };
}

/** A turn ended (completed, failed, cancelled or crashed): the thread is free for the next message. */
export function finish(turns: ThreadTurns, turnId: string): ThreadTurns {
  return turns.running === turnId ? { queue: turns.queue } : turns;
}

/**
 * A cancel stops only the running turn (its streamed text is kept as a partial message); messages waiting behind
 * it still get their turns, since each was acknowledged as stored and queued.
 */
export const cancelTarget = (turns: ThreadTurns): string | undefined => turns.running;

export const isWaiting = (turns: ThreadTurns, messageId: string): boolean => turns.queue.includes(messageId);

export const statusOf = (turns: ThreadTurns): { running: string | null; queued: number } => ({
  running: turns.running ?? null,
  queued: turns.queue.length,
});

/**
 * Recovery answers a message the log shows unanswered unless this instance already took it on: it started a turn
 * for it, or it waits in the queue. Otherwise a message stored during recovery would run twice.
 */
export const takenHere = (
  turns: ThreadTurns,
  answeredHere: ReadonlySet<string>,
  messageId: string,
): boolean => answeredHere.has(messageId) || isWaiting(turns, messageId);

/** An alarm firing up to this early is taken as due (alarms are not exact). */
export const WATCH_ALARM_SLACK_MS = 1_000;

export interface WatchState {
  now: number;
  /** When this instance's pending turn-watch alarm fires (0: none pending from this instance). */
  watchAt: number;
  /** Some thread has a turn running here. */
  anyRunning: boolean;
  /** The last recovery could not finish (database away, log not whole). */
  recoveryUnfinished: boolean;
  /** A recovery is under way. */
  recovering: boolean;
}

export type WatchAlarmPlan =
  /**
   * Before this instance's alarm is due (a stale alarm from before a restart, or a client): nothing changes, so
   * there is only ever one chain of alarms.
   */
  | { kind: "ignore" }
  /** The alarm is spent; run an unfinished recovery again (unless one runs), and set the next alarm if needed. */
  | { kind: "fired"; rerunRecovery: boolean; rearm: boolean };

export function planWatchAlarm(state: WatchState): WatchAlarmPlan {
  if (state.watchAt > state.now + WATCH_ALARM_SLACK_MS) return { kind: "ignore" };
  return {
    kind: "fired",
    rerunRecovery: state.recoveryUnfinished && !state.recovering,
    rearm: state.anyRunning || state.recoveryUnfinished,
  };
}

/**
 * While turns run (or a recovery is unfinished) one alarm stays pending `watchMs` ahead, so a restart mid-turn still
 * wakes the actor. Returns when the new alarm fires, or undefined when one is already pending.
 */
export function nextWatchAt(watchAt: number, now: number, watchMs: number): number | undefined {
  return watchAt > now ? undefined : now + watchMs;
}
