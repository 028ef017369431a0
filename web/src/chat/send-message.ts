import type { RegenerateResult, SendMessageResult } from "../../../contract/actions";
import { ApiError, api, errorMessage, unwrap } from "../api/client";
import type { AgentConnection } from "../live/agent-connection";
import type { SendError } from "./Composer";

/** How long a send on the live connection may go unanswered before it is sent again over REST. */
export const LIVE_SEND_TIMEOUT_MS = 15_000;

/**
 * The actor answered and refused (RivetKit's UserError: group `user`, with the code REST would answer, such as
 * `allowance_exceeded`, `message_too_long`, `thread_not_found`, `unavailable`). Not a refusal: the connection
 * failing under the call (lost, replaced, its token expired), after which the message may or may not be stored.
 */
export function refusedByActor(error: unknown): error is Error & { code: string } {
  const { group, code } = (error ?? {}) as { group?: unknown; code?: unknown };
  return group === "user" && typeof code === "string" && code !== "token_expired";
}

/** `work`, or a rejection after `ms` if it has not settled by then. */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("The live send went unanswered")), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a user message: on the live connection while it is open (`sendMessage`), else, or when the connection
 * fails under the call, over REST (`POST /threads/{id}/messages`). Both carry `idempotencyKey`, so a message sent
 * on both paths (or resent after a lost answer) is stored once. A refusal by the actor is not sent again: it rejects
 * with the actor's error (`code`, readable message), as REST's would with an ApiError.
 */
export async function sendMessage(
  connection: Pick<AgentConnection, "status" | "call">,
  threadId: string,
  text: string,
  idempotencyKey: string,
  options: { liveTimeoutMs?: number } = {},
): Promise<SendMessageResult> {
  if (connection.status() === "live") {
    try {
      return await within(
        connection.call("sendMessage", threadId, text, { idempotencyKey }),
        options.liveTimeoutMs ?? LIVE_SEND_TIMEOUT_MS,
      );
    } catch (error) {
      if (refusedByActor(error)) throw error;
    }
  }
  return unwrap(
    await api.POST("/threads/{id}/messages", {
      params: { path: { id: threadId }, header: { "idempotency-key": idempotencyKey } },
      body: { text },
    }),
  );
}

/**
 * Replaces the thread's last reply with a new answer (`POST /threads/{id}/regenerate`); the turn's events arrive on
 * the thread's feed as any other. REST is enough here: nothing streams back on the call itself.
 */
export async function regenerateReply(threadId: string, idempotencyKey: string): Promise<RegenerateResult> {
  return unwrap(
    await api.POST("/threads/{id}/regenerate", {
      params: { path: { id: threadId }, header: { "idempotency-key": idempotencyKey } },
    }),
  );
}

/** What the composer shows for a failed send: the readable message and the stable code, from either path. */
export const sendFailure = (failure: unknown): SendError => ({
  message: errorMessage(failure),
  code: failure instanceof ApiError || refusedByActor(failure) ? failure.code : undefined,
});
