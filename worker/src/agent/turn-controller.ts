import { uuidv7 } from "uuidv7";
import {
  admit,
  cancelTarget,
  finish,
  isWaiting,
  NO_TURNS,
  nextWatchAt,
  planNext,
  planWatchAlarm,
  statusOf,
  type ThreadTurns,
  takenHere,
} from "./turn-queue";

export interface TurnStart {
  threadId: string;
  messageId: string;
  turnId: string;
  signal: AbortSignal;
  /** Messages still queued behind this one (stored, but not yet part of the conversation). */
  waiting: ReadonlySet<string>;
  /** A regenerated reply: the turn this one replaces, hidden from the history before it runs. */
  replaces?: Replacement;
}

export interface Replacement {
  turnId: string;
  idempotencyKey?: string;
}

export interface TurnControllerDeps {
  /** Runs one turn to its end. */
  run(turn: TurnStart): Promise<void>;
  /** `run` threw: ends the turn some other way. The thread's next message starts only after this settles. */
  crashed(turn: TurnStart, error: unknown): Promise<void>;
  /** Keeps the Durable Object working on a turn after the action that started it has answered. */
  keepAlive(work: Promise<unknown>): void;
  /** Asks for `watchTurns` after `ms` (an alarm); settles once the alarm is set. */
  scheduleTurnWatch(ms: number): Promise<void> | void;
  turnWatchMs: number;
}

/**
 * Carries out the decisions of `turn-queue.ts` for every thread of the user: starts turns in the background, aborts
 * them, and keeps the turn-watch alarm pending while they run. Everything here is in memory; after a restart the
 * log is the record (`restart-recovery.ts`).
 */
export class TurnController {
  readonly #threads = new Map<string, ThreadTurns>();
  readonly #aborts = new Map<string, AbortController>();
  /** Turns this instance started and the messages they answer: what recovery must leave alone. */
  readonly #startedHere = { turns: new Set<string>(), messages: new Set<string>() };
  /** When the pending turn-watch alarm fires (0: none pending from this instance). */
  #watchAt = 0;
  /** The pending alarm's write: a message is acknowledged only once it is set (`watchArmed`). */
  #arming: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TurnControllerDeps) {}

  #get(threadId: string): ThreadTurns {
    return this.#threads.get(threadId) ?? NO_TURNS;
  }

  /** Queues a stored message; `startNext` then starts it if nothing runs. Answers whether it has to wait. */
  enqueue(threadId: string, messageId: string): boolean {
    const { turns, queued } = admit(this.#get(threadId), messageId);
    this.#threads.set(threadId, turns);
    return queued;
  }

  /**
   * Starts a new turn for the answered message `messageId` in place of `replaces.turnId` (a regenerated reply), only
   * when nothing runs or waits in the thread: synchronously, so a message sent meanwhile queues behind it. Answers
   * the new turn's id, or undefined when the thread is busy.
   */
  replace(threadId: string, messageId: string, replaces: Replacement): string | undefined {
    if (this.busy(threadId)) return undefined;
    this.enqueue(threadId, messageId);
    return this.startNext(threadId, replaces);
  }

  /** Starts the thread's next waiting message, if nothing runs; answers the turn id started. */
  startNext(threadId: string, replaces?: Replacement): string | undefined {
    const next = planNext(this.#get(threadId), uuidv7());
    if (next.kind === "busy") return undefined;
    if (next.kind === "idle") {
      this.#threads.delete(threadId);
      return undefined;
    }
    this.#threads.set(threadId, next.turns);
    const abort = new AbortController();
    this.#aborts.set(next.turnId, abort);
    this.#startedHere.turns.add(next.turnId);
    this.#startedHere.messages.add(next.messageId);
    this.keepWatch();
    const turn: TurnStart = {
      threadId,
      messageId: next.messageId,
      turnId: next.turnId,
      signal: abort.signal,
      waiting: next.waiting,
      ...(replaces ? { replaces } : {}),
    };
    const work = this.deps
      .run(turn)
      .catch((error: unknown) => this.deps.crashed(turn, error))
      .finally(() => {
        this.#aborts.delete(turn.turnId);
        this.#threads.set(threadId, finish(this.#get(threadId), turn.turnId));
        this.startNext(threadId);
      });
    this.deps.keepAlive(work);
    return next.turnId;
  }

  /** Aborts the thread's running turn; messages waiting behind it still run. */
  cancel(threadId: string): { cancelled: boolean } {
    const turnId = cancelTarget(this.#get(threadId));
    if (turnId !== undefined) this.#aborts.get(turnId)?.abort();
    return { cancelled: turnId !== undefined };
  }

  /** A turn runs or a message waits in the thread. */
  busy(threadId: string): boolean {
    const turns = this.#get(threadId);
    return turns.running !== undefined || turns.queue.length > 0;
  }

  status(threadId: string): { running: string | null; queued: number } {
    return statusOf(this.#get(threadId));
  }

  isWaiting(threadId: string, messageId: string): boolean {
    return isWaiting(this.#get(threadId), messageId);
  }

  startedHere(turnId: string): boolean {
    return this.#startedHere.turns.has(turnId);
  }

  takenHere(threadId: string, messageId: string): boolean {
    return takenHere(this.#get(threadId), this.#startedHere.messages, messageId);
  }

  /**
   * The turn-watch alarm fired. `recovery.rerun` is called before the next alarm is set, as the alarm's purpose is
   * that an unfinished recovery runs again.
   */
  watchFired(recovery: { unfinished: boolean; running: boolean; rerun(): void }): void {
    const plan = planWatchAlarm({
      now: Date.now(),
      watchAt: this.#watchAt,
      anyRunning: [...this.#threads.values()].some((turns) => turns.running !== undefined),
      recoveryUnfinished: recovery.unfinished,
      recovering: recovery.running,
    });
    if (plan.kind === "ignore") return;
    this.#watchAt = 0;
    if (plan.rerunRecovery) recovery.rerun();
    if (plan.rearm) this.keepWatch();
  }

  /** Sets the turn-watch alarm unless this instance already has one pending. */
  keepWatch(): void {
    const at = nextWatchAt(this.#watchAt, Date.now(), this.deps.turnWatchMs);
    if (at === undefined) return;
    this.#watchAt = at;
    this.#arming = Promise.resolve(this.deps.scheduleTurnWatch(this.deps.turnWatchMs)).catch(() => {});
  }

  /**
   * Settles once the turn-watch alarm asked for last is set. Acknowledging a message before that could lose its
   * turn to a restart right after the answer: nothing would wake the object to recover it (found by reloading the
   * Worker under load: the message stayed unanswered and its event unshipped until the user's next action).
   */
  watchArmed(): Promise<void> {
    return this.#arming;
  }
}
