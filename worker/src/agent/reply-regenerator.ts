import { UserError } from "rivetkit/errors";
import type { RegenerateResult } from "../../../contract/actions";
import type { Database } from "../../../schema/db";
import { findLastTurn, findRegeneration } from "../threads/regeneration.repository";
import { findThread } from "../threads/threads.repository";
import { checkIds, type MessageIntake, threadNotFound } from "./message-intake";
import type { TurnController } from "./turn-controller";

/** Keys answered from memory until Postgres has their row (the new turn writes it when it starts). */
const RECENT_KEYS = 100;
/** How long a regenerate waits for the thread's log to reach Postgres, where the last turn is read. */
const SHIPPED_WAIT_MS = 5_000;

export interface ReplyRegeneratorDeps {
  db(): Database;
  userId: string;
  /** Refuses (402 `allowance_exceeded`, with the thread's notice) once the plan's tokens are used up. */
  intake: Pick<MessageIntake, "assertAllowance">;
  /** `replace` starts the new turn unless something runs or waits in the thread. */
  turns: Pick<TurnController, "busy" | "replace">;
  /** Whether the thread's events given out are in Postgres (waiting a bounded time): the last turn is read there. */
  eventsShipped(threadId: string, waitMs: number): Promise<boolean>;
  /** A recovery after a restart has not finished: a cut turn may still get its end (and partial text) logged. */
  recovering(): boolean;
}

const turnRunning = () =>
  new UserError("A reply is still running or waiting in this thread", { code: "turn_running" });

const logBehind = () =>
  new UserError("The thread's log is still being saved; try again shortly", { code: "unavailable" });

/**
 * Regenerate: the thread's last reply is replaced by a new turn answering the same user message. The new turn logs its
 * start, then records the old one as replaced before it reads its history (turn-runner.ts): the old turn's messages
 * are left out of every history from then on (conversation-history.ts), so the model never sees them again.
 * With an idempotency key a retried call answers the first call's turn (`replayed`) and starts nothing.
 */
export class ReplyRegenerator {
  /** `threadId key` → the answer, for retries that arrive before the new turn's row is in Postgres. */
  readonly #recent = new Map<string, RegenerateResult>();

  constructor(private readonly deps: ReplyRegeneratorDeps) {}

  async regenerate(threadId: string, idempotencyKey: string | undefined): Promise<RegenerateResult> {
    const { deps } = this;
    const refused = checkIds(threadId, idempotencyKey);
    if (refused) throw refused;
    const replay = await this.#replay(threadId, idempotencyKey);
    if (replay) return replay;
    if (deps.turns.busy(threadId) || deps.recovering()) throw turnRunning();
    // An older turn must not pass for the last one: the log must be whole in Postgres (503 with Retry-After if not).
    if (!(await deps.eventsShipped(threadId, SHIPPED_WAIT_MS))) throw logBehind();
    const last = await findLastTurn(deps.db(), deps.userId, threadId);
    if (!last) {
      if (!(await findThread(deps.db(), deps.userId, threadId))) throw threadNotFound();
      throw new UserError("The thread's last message has no reply to regenerate", {
        code: "nothing_to_regenerate",
      });
    }
    await deps.intake.assertAllowance(threadId);
    // A retry with the same key that got here first has started the turn meanwhile.
    const raced = this.#remembered(threadId, idempotencyKey);
    if (raced) return raced;
    const turnId = deps.turns.replace(threadId, last.messageId, { turnId: last.turnId, idempotencyKey });
    if (turnId === undefined) throw turnRunning();
    const result = { turnId, supersededTurnId: last.turnId, messageId: last.messageId, replayed: false };
    if (idempotencyKey !== undefined) this.#remember(threadId, idempotencyKey, result);
    return result;
  }

  async #replay(threadId: string, idempotencyKey: string | undefined): Promise<RegenerateResult | undefined> {
    if (idempotencyKey === undefined) return undefined;
    const recent = this.#remembered(threadId, idempotencyKey);
    if (recent) return recent;
    const stored = await findRegeneration(this.deps.db(), {
      userId: this.deps.userId,
      threadId,
      idempotencyKey,
    });
    return stored ? { ...stored, replayed: true } : undefined;
  }

  #remembered(threadId: string, idempotencyKey: string | undefined): RegenerateResult | undefined {
    if (idempotencyKey === undefined) return undefined;
    const recent = this.#recent.get(`${threadId} ${idempotencyKey}`);
    return recent ? { ...recent, replayed: true } : undefined;
  }

  #remember(threadId: string, idempotencyKey: string, result: RegenerateResult): void {
    this.#recent.set(`${threadId} ${idempotencyKey}`, result);
    if (this.#recent.size > RECENT_KEYS) this.#recent.delete(this.#recent.keys().next().value as string);
  }
}
