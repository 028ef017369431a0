import { errorCode } from "./actors";

/** What the hostile-input suite (`hostile-input.ts`) expects of actor actions, and how it calls one. */

/** How actors refuse a caller: RivetKit user errors (and its own not-found and size limits), never internal ones. */
export const REFUSED_CONNECTION = [
  "missing_token",
  "invalid_token",
  "token_expired",
  "token_not_yet_valid",
  "forbidden",
  "unauthorized",
  "not_found",
  "incoming_too_long",
  "idempotency_key_reused",
  "memory_write_failed",
];
export const REFUSED_ARGUMENT = [
  "thread_not_found",
  "turn_running",
  "nothing_to_regenerate",
  "message_empty",
  "message_too_long",
  "allowance_exceeded",
  "invalid_path",
  "path_too_long",
  "forbidden_path",
  "invalid_content",
  "content_too_large",
  "forbidden",
  "incoming_too_long",
  "idempotency_key_reused",
  "memory_write_failed",
];

export type ActorCall = (...args: unknown[]) => Promise<unknown>;
export const actionOf = (handle: unknown, name: string) =>
  (handle as Record<string, ActorCall>)[name] as ActorCall;

export const GROW_AGENT_ACTIONS = [
  "whoami",
  "ping",
  "sendMessage",
  "regenerate",
  "cancel",
  "threadStatus",
  "commitMemory",
  "drainMemory",
  "relaySubAgentEvents",
  "subAgentFinished",
  "threadDeleted",
  "shareRevoked",
  "eventCursor",
  "hubListening",
  "model",
] as const;
export const SUB_AGENT_ACTIONS = ["describe", "start", "cancel", "stop"] as const;

export interface ActorOutcome {
  ok: boolean;
  code?: string;
  group?: string;
  message?: string;
  value?: unknown;
}

export async function attempt(work: () => Promise<unknown>): Promise<ActorOutcome> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const { group, message } = error as { group?: string; message?: string };
    return { ok: false, code: errorCode(error), group, message };
  }
}
