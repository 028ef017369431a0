import type { Database } from "../../../schema/db";
import type { AgentEventData, AgentEventType } from "./agent-events";
import type { StoredEvent } from "./event-pipeline";
import { findInterruptedTurns, findUnansweredMessages, findUnfinishedSubAgents } from "./turn-recovery";

const TURN_ENDS = new Set(["turn.completed", "turn.failed", "turn.cancelled", "turn.interrupted"]);

/** What recovery needs from the Grow Agent's runtime. */
export interface RecoveryDeps {
  db: Database;
  userId: string;
  /** Events written to the actor's local outbox and not yet in Postgres. */
  pendingLocal(): Promise<Map<string, StoredEvent[]>>;
  /** Ships those to Postgres and resolves once they are there (or `waitMs` passed). */
  shipPending(pending: Map<string, StoredEvent[]>, waitMs: number): Promise<void>;
  /** Turns this instance runs now and messages waiting in its queues. */
  runningTurnIds(): Iterable<string>;
  isQueued(threadId: string, messageId: string): boolean;
  /** Queues a message for a turn. */
  answer(threadId: string, messageId: string): void;
  abandonSubAgent(threadId: string, subAgentId: string, reason: string): Promise<void>;
  /** Stores the text a cut turn had streamed as a partial assistant message; returns its id. */
  savePartial(threadId: string, text: string): Promise<string>;
  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<unknown>;
}

/**
 * After a restart: turns that were running are ended as interrupted (their streamed text kept as a partial message,
 * their sub-agents failed), and messages that were waiting behind them get their turns. The event log is the
 * record, so this needs nothing the actor may not have saved in time.
 */
export async function recoverAfterRestart(deps: RecoveryDeps, shipWaitMs: number): Promise<void> {
  // Events the last run wrote locally but had not shipped go to Postgres first: the log must be whole before it is
  // read for unfinished turns. Bounded: a batch Postgres keeps refusing must not stall recovery.
  await deps.shipPending(await deps.pendingLocal(), shipWaitMs);
  // What Postgres cannot show yet: events still in the local outbox (the wait above is bounded) and turns this
  // instance started meanwhile (new work waits for recovery only so long).
  const known = knownLocally(await deps.pendingLocal(), deps.runningTurnIds());
  for (const turn of await findInterruptedTurns(deps.db, deps.userId)) {
    if (known.turns.has(turn.turnId)) continue;
    // Sub-agents the turn was waiting for lost their runner too: ended (row, actor, log) before the turn is.
    for (const subAgentId of await findUnfinishedSubAgents(deps.db, turn.threadId, turn.turnId)) {
      await deps.abandonSubAgent(turn.threadId, subAgentId, "Interrupted by a restart");
    }
    if (turn.partialText) {
      const messageId = await deps.savePartial(turn.threadId, turn.partialText);
      await deps.emit(turn.threadId, "message.assistant", {
        turnId: turn.turnId,
        messageId,
        status: "partial",
      });
    }
    await deps.emit(turn.threadId, "turn.interrupted", { turnId: turn.turnId });
  }
  for (const { threadId, messageId } of await findUnansweredMessages(deps.db, deps.userId)) {
    if (known.messages.has(messageId) || deps.isQueued(threadId, messageId)) continue;
    deps.answer(threadId, messageId);
  }
}

/**
 * Turns that ended or run here, and messages whose turn started or failed, as far as only this actor knows yet.
 * Pure, for tests.
 */
export function knownLocally(
  pending: Map<string, readonly StoredEvent[]>,
  runningTurnIds: Iterable<string>,
): { turns: Set<string>; messages: Set<string> } {
  const turns = new Set<string>(runningTurnIds);
  const messages = new Set<string>();
  for (const events of pending.values()) {
    for (const event of events) {
      const data = event.data as { turnId?: string; messageId?: string };
      if ((event.type === "turn.started" || event.type === "turn.failed") && data.messageId)
        messages.add(data.messageId);
      if (TURN_ENDS.has(event.type) && data.turnId) turns.add(data.turnId);
    }
  }
  return { turns, messages };
}
