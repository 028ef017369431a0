import type { RegenerateResult, SendMessageResult } from "../../../contract/actions";
import { ApiError, api, errorMessage, unwrap } from "../api/client";
import type { SendError } from "./Composer";

/**
 * Sends a user message over REST (`POST /threads/{id}/messages`) with `idempotencyKey`, so a message resent after a
 * lost answer is stored once. The live channel only receives (docs/decisions/0011): it lives in a hibernating hub,
 * not in the agent, so a send on it would wake both; REST reaches the agent once, with the Worker's check of the
 * token. A refusal rejects with an ApiError (`code`, readable message).
 */
export async function sendMessage(
  threadId: string,
  text: string,
  idempotencyKey: string,
): Promise<SendMessageResult> {
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

/** What the composer shows for a failed send: the readable message and the stable code. */
export const sendFailure = (failure: unknown): SendError => ({
  message: errorMessage(failure),
  code: failure instanceof ApiError ? failure.code : undefined,
});
