import type { AgentEventData, AgentEventType } from "./agent-events";
import type { StoredEvent } from "./event-pipeline";
import type { InterruptedTurn } from "./turn-recovery";

/** What recovery needs from the Grow Agent's runtime. */
/** The log's view (Postgres, `turn-recovery.ts`). */
export interface RecoveryLog {
  interruptedTurns(): Promise<InterruptedTurn[]>;
  unfinishedSubAgents(threadId: string, turnId: string): Promise<string[]>;
  unansweredMessages(): Promise<Array<{ threadId: string; messageId: string }>>;
}

export interface RecoveryDeps {
  log: RecoveryLog;
  /** Events written to the actor's local outbox and not yet in Postgres. */
  pendingLocal(): Promise<Map<string, StoredEvent[]>>;
  /** Ships those to Postgres and resolves once they are there (or `waitMs` passed). */
  shipPending(pending: Map<string, StoredEvent[]>, waitMs: number): Promise<void>;
  /** Turns and messages this instance took on since it woke (asked at decision time, not from a snapshot). */
  turnStartedHere(turnId: string): boolean;
  messageTakenHere(threadId: string, messageId: string): boolean;
  /** Queues a message for a turn. */
  answer(threadId: string, messageId: string): void;
  abandonSubAgent(threadId: string, subAgentId: string, reason: string): Promise<void>;
  /** Stores the text turn `turnId` had streamed when cut as a partial assistant message; returns its id. */
  savePartial(threadId: string, turnId: string, text: string): Promise<string>;
  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<unknown>;
}

/** The last run's events are not all in Postgres yet, so the log cannot tell which turns were cut: try later. */
export class LogNotWholeError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} events of the last run are not in Postgres yet`);
    this.name = "LogNotWholeError";
  }
}

/**
 * After a restart: turns that were running are ended as interrupted (their streamed text kept as a partial message,
 * their sub-agents failed), and messages that were waiting behind them get their turns. The event log is the
 * record, so recovery first ships what the last run left in the local outbox and decides only on a whole log
 * (otherwise it throws LogNotWholeError and the caller tries again later). New work may run meanwhile; what it
 * started is asked about at each decision.
 */
export async function recoverAfterRestart(deps: RecoveryDeps, shipWaitMs: number): Promise<void> {
  const leftOver = await deps.pendingLocal();
  await deps.shipPending(leftOver, shipWaitMs);
  const stillPending = await deps.pendingLocal();
  const waiting = [...leftOver].reduce((n, [threadId, events]) => {
    const seqs = new Set((stillPending.get(threadId) ?? []).map((e) => e.seq));
    return n + events.filter((e) => seqs.has(e.seq)).length;
  }, 0);
  if (waiting > 0) throw new LogNotWholeError(waiting);

  for (const turn of await deps.log.interruptedTurns()) {
    if (deps.turnStartedHere(turn.turnId)) continue;
    // Sub-agents the turn was waiting for lost their runner too: ended (row, actor, log) before the turn is.
    for (const subAgentId of await deps.log.unfinishedSubAgents(turn.threadId, turn.turnId)) {
      await deps.abandonSubAgent(turn.threadId, subAgentId, "Interrupted by a restart");
    }
    if (turn.partialText) {
      const messageId = await deps.savePartial(turn.threadId, turn.turnId, turn.partialText);
      await deps.emit(turn.threadId, "message.assistant", {
        turnId: turn.turnId,
        messageId,
        status: "partial",
      });
    }
    await deps.emit(turn.threadId, "turn.interrupted", { turnId: turn.turnId });
  }
  for (const { threadId, messageId } of await deps.log.unansweredMessages()) {
    if (!deps.messageTakenHere(threadId, messageId)) deps.answer(threadId, messageId);
  }
}
