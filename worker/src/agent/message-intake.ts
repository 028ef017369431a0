import { UserError } from "rivetkit/errors";
import type { Database } from "../../../schema/db";
import { AllowanceExceededError, assertCanStartTurn } from "../billing/entitlements";
import { appendUserMessage, findMessageByIdempotencyKey } from "../threads/thread-log.repository";
import { findThread } from "../threads/threads.repository";
import type { AgentEventData, AgentEventType } from "./agent-events";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a client may use as an idempotency key: printable ASCII (a UUID, say), as for memory writes. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;

export const threadNotFound = () => new UserError("No such thread", { code: "thread_not_found" });

export type MessageCheck =
  | { kind: "ok" }
  | { kind: "refused"; error: UserError }
  /**
   * Postgres cannot store NUL in jsonb, but whether the thread is the caller's decides the answer: another
   * user's thread is still just "not found".
   */
  | { kind: "has_nul" };

/** A thread id that cannot be one (not a UUID), or an idempotency key a client may not use: the refusal. */
export function checkIds(threadId: string, idempotencyKey: string | undefined): UserError | undefined {
  if (!UUID.test(threadId)) return threadNotFound();
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    return new UserError("The idempotency key must be 1 to 200 printable characters", {
      code: "idempotency_key_invalid",
    });
  }
  return undefined;
}

/** The checks that need no database, in the order a client sees their errors. */
export function checkMessage(
  threadId: string,
  text: string,
  idempotencyKey: string | undefined,
  maxChars: number,
): MessageCheck {
  const refused = (error: UserError): MessageCheck => ({ kind: "refused", error });
  const badIds = checkIds(threadId, idempotencyKey);
  if (badIds) return refused(badIds);
  if (text.trim().length === 0)
    return refused(new UserError("The message is empty", { code: "message_empty" }));
  if (text.length > maxChars) {
    return refused(
      new UserError(`The message is longer than ${maxChars} characters`, { code: "message_too_long" }),
    );
  }
  if (text.includes("\u0000")) return { kind: "has_nul" };
  return { kind: "ok" };
}

/** The text of a stored user message (content blocks as sent to the model). */
export const textOf = (content: unknown) =>
  Array.isArray(content)
    ? content.map((block: { text?: unknown }) => String(block?.text ?? "")).join("")
    : "";

/** A resend under a stored message's key must carry the same text; otherwise the key was reused. */
export function assertSameText(stored: { content: unknown }, text: string): void {
  if (textOf(stored.content) !== text) {
    throw new UserError("This idempotency key was already used for a different message", {
      code: "idempotency_key_reused",
    });
  }
}

export interface MessageIntakeDeps {
  db(): Database;
  userId: string;
  maxMessageChars: number;
  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<unknown>;
}

export type Intake =
  /** Newly stored: it needs a turn. */
  | { kind: "stored"; messageId: string }
  /** Stored earlier under the same idempotency key: nothing is stored, emitted or run again. */
  | { kind: "replayed"; messageId: string };

/** Takes a user's message in: validation, idempotency and the plan's allowance, then the stored row. */
export class MessageIntake {
  constructor(private readonly deps: MessageIntakeDeps) {}

  async take(threadId: string, text: string, idempotencyKey: string | undefined): Promise<Intake> {
    const { deps } = this;
    const check = checkMessage(threadId, text, idempotencyKey, deps.maxMessageChars);
    if (check.kind === "refused") throw check.error;
    if (check.kind === "has_nul") {
      if (!(await findThread(deps.db(), deps.userId, threadId))) throw threadNotFound();
      throw new UserError("The message must not contain NUL characters", { code: "message_invalid" });
    }
    const owner = { userId: deps.userId, threadId };
    // Both reads at once (one round trip's wait instead of two); the allowance's answer is used only when the
    // message is new, since a resend of one stored while there were tokens left is answered as before.
    const [earlier, allowance] = await Promise.all([
      idempotencyKey === undefined
        ? undefined
        : findMessageByIdempotencyKey(deps.db(), { ...owner, idempotencyKey }),
      assertCanStartTurn(deps.db(), deps.userId).then(
        () => undefined,
        (error: unknown) => error,
      ),
    ]);
    if (earlier) {
      assertSameText(earlier, text);
      return { kind: "replayed", messageId: earlier.id };
    }
    if (allowance !== undefined) await this.#refuse(threadId, allowance);
    const stored = await appendUserMessage(deps.db(), {
      ...owner,
      content: [{ type: "text", text }],
      idempotencyKey,
    });
    if (!stored) throw threadNotFound();
    if (stored.replayed) assertSameText(stored.message, text);
    return { kind: stored.replayed ? "replayed" : "stored", messageId: stored.message.id };
  }

  /**
   * Refuses new work once the plan's tokens are used up, before anything is stored: the caller gets 402
   * `allowance_exceeded`, and the thread gets a notice the UI shows with the upgrade link.
   */
  async assertAllowance(threadId: string): Promise<void> {
    await assertCanStartTurn(this.deps.db(), this.deps.userId).catch((error: unknown) =>
      this.#refuse(threadId, error),
    );
  }

  /** `error` from the allowance check, as the caller sees it (anything but the allowance is rethrown as is). */
  async #refuse(threadId: string, error: unknown): Promise<never> {
    if (!(error instanceof AllowanceExceededError)) throw error;
    await this.deps
      .emit(threadId, "agent.notice", {
        code: error.code,
        message: error.message,
        upgradePath: error.upgradePath,
      })
      .catch(() => {});
    throw new UserError(error.message, {
      code: error.code,
      metadata: { upgradePath: error.upgradePath, upgradePlan: error.upgradePlan },
    });
  }
}
