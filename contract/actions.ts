/**
 * The growAgent actions the SPA calls over its live connection, as worker/src/actors/grow-agent.ts defines them.
 * The SPA cannot import the actor's `Registry` type (web/tsconfig.json would then type-check the Worker's sources,
 * which need Cloudflare's global types that clash with the DOM's), so both sides meet here:
 * worker/src/actors/grow-agent.contract.test.ts fails to compile when the actor drifts from these.
 *
 * A refused call rejects with the actor's user error (`code`, readable `message`, `metadata`) with the same codes
 * the REST routes answer with (`allowance_exceeded`, `message_too_long`, `thread_not_found`, `unavailable`, …).
 */

/**
 * The longest user message, in UTF-16 code units (JavaScript's `length`): the Worker's default for
 * AGENT_MAX_MESSAGE_CHARS and the composer's limit, so the SPA refuses what the agent would.
 */
export const MAX_MESSAGE_CHARS = 16_000;

export interface SendMessageOptions {
  /**
   * Makes a resend count once: the same key with the same text answers `replayed: true`, stores nothing and runs no
   * second turn (another text under a used key is refused).
   */
  idempotencyKey?: string;
}

export interface SendMessageResult {
  messageId: string;
  /** True when it waits for the thread's running turn. */
  queued: boolean;
  /** True when a message with this idempotency key was already stored: nothing new was stored or run. */
  replayed: boolean;
}

export interface RegenerateOptions {
  /** Makes a retried regenerate start one turn: the same key answers the first call's turn with `replayed: true`. */
  idempotencyKey?: string;
}

export interface RegenerateResult {
  /** The new turn, answering `messageId` again. */
  turnId: string;
  /** The reply it replaces (a `turn.superseded` event says so in the log). */
  supersededTurnId: string;
  messageId: string;
  /** True when a regenerate with this idempotency key already started the turn: nothing new was started. */
  replayed: boolean;
}

export interface CancelResult {
  /** Whether a turn was running. */
  cancelled: boolean;
}

export interface ThreadStatusResult {
  /** The running turn's id. */
  running: string | null;
  /** Messages waiting behind it. */
  queued: number;
}

export interface ModelResult {
  model: string;
  /** Host of the Messages API answering. */
  endpoint: string;
}

export interface RenewTokenResult {
  /** When the renewed connection's token expires (ISO 8601). */
  expiresAt: string;
}

/** Property (not method) signatures, so parameter types are checked strictly against the actor's. */
export interface GrowAgentActions {
  /** Stores the message and starts (or queues) its turn; the turn's events arrive as `event`. */
  sendMessage: (threadId: string, text: string, options?: SendMessageOptions) => Promise<SendMessageResult>;
  /**
   * Replaces the thread's last reply with a new turn answering the same user message. Refused while a turn runs or
   * waits (`turn_running`), when the last message has no reply (`nothing_to_regenerate`) and past the allowance.
   */
  regenerate: (threadId: string, options?: RegenerateOptions) => Promise<RegenerateResult>;
  /** Stops the thread's running turn; what streamed is kept as a partial message. */
  cancel: (threadId: string) => Promise<CancelResult>;
  threadStatus: (threadId: string) => Promise<ThreadStatusResult>;
  /** The model answering this user. */
  model: () => Promise<ModelResult>;
  /** Extends the connection with a fresh token of the same user before the current one expires. */
  renewToken: (token: string) => Promise<RenewTokenResult>;
}

export type GrowAgentActionName = keyof GrowAgentActions;
