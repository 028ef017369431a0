import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from "../actors/actor-errors";
import { growAgentKey } from "../actors/actor-keys";
import type { ActorsClient } from "../actors/actors.routes";
import { bearerToken } from "../auth/verify-token";
import type { AppEnv } from "../env";
import {
  authenticatedErrors,
  jsonResponse,
  NO_NUL,
  NO_NUL_MESSAGE,
  notFound,
} from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { findThread } from "../threads/threads.repository";
import { ThreadIdParams } from "../threads/threads.schemas";
import { readAgentConfig } from "./agent-config";

const security = [{ bearerAuth: [] }];

/** Hard ceiling for the schema; the configured AGENT_MAX_MESSAGE_CHARS (lower) is checked by the agent. */
const SendMessageBody = z
  .strictObject({
    text: z
      .string()
      .max(200_000)
      .regex(NO_NUL, NO_NUL_MESSAGE)
      .openapi({ example: "What's in my notes about Fly?" }),
  })
  .openapi("SendMessage");

const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x20-\x7e]+$/, "printable ASCII only")
  .optional()
  .openapi({ example: "7d9c2f0e-3b1a-4c55-9e0f-2a6b8c1d4e77" });

const SendMessageResult = z
  .object({
    messageId: z.uuid(),
    queued: z.boolean().openapi({ description: "True when it waits for the thread's running turn" }),
    replayed: z.boolean().openapi({
      description:
        "True when a message with this `Idempotency-Key` was already stored: nothing new was stored or run",
    }),
  })
  .openapi("SentMessage");

const ModelInfo = z
  .object({
    model: z.string().openapi({ example: "claude-sonnet-4-5" }),
    endpoint: z
      .string()
      .openapi({ description: "Host of the Messages API answering", example: "api.anthropic.com" }),
    local: z.boolean().openapi({ description: "True when a local stand-in (dev/model) answers" }),
  })
  .openapi("ModelInfo");

const send = createRoute({
  method: "post",
  path: "/threads/{id}/messages",
  tags: ["threads"],
  security,
  summary: "Send a message to your Grow Agent in this thread",
  description:
    "Stores the message and starts the agent's turn (or queues it behind the running one) and answers at once. Follow the turn on `GET /threads/{id}/events` (SSE). Send `Idempotency-Key` (e.g. a UUID per message) to make a resent request count once.",
  request: {
    params: ThreadIdParams,
    headers: z.object({ "idempotency-key": IdempotencyKeyHeader }),
    body: { required: true, content: { "application/json": { schema: SendMessageBody } } },
  },
  responses: {
    202: jsonResponse(SendMessageResult, "Stored; the turn runs"),
    402: {
      ...authenticatedErrors[400],
      description:
        "The plan's tokens for this period are used up (`allowance_exceeded`); upgrade at /billing",
    },
    422: {
      ...authenticatedErrors[400],
      description:
        "The `Idempotency-Key` was already used for a different message (`idempotency_key_reused`)",
    },
    ...authenticatedErrors,
    ...notFound,
  },
});

const cancel = createRoute({
  method: "post",
  path: "/threads/{id}/cancel",
  tags: ["threads"],
  security,
  summary: "Stop the thread's running turn",
  description: "What streamed so far is kept as a partial message. Messages queued behind it still run.",
  request: { params: ThreadIdParams },
  responses: {
    200: jsonResponse(
      z.object({ cancelled: z.boolean() }).openapi("CancelResult"),
      "Whether a turn was running",
    ),
    ...authenticatedErrors,
    ...notFound,
  },
});

const model = createRoute({
  method: "get",
  path: "/agent",
  tags: ["agent"],
  security,
  summary: "The model your Grow Agent uses",
  responses: { 200: jsonResponse(ModelInfo, "Model and endpoint"), ...authenticatedErrors },
});

const LOCAL_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/** REST for API consumers: the same growAgent actor the SPA talks to, called with the caller's own token. */
export function agentRoutes(actorsClient: ActorsClient | undefined) {
  const agentOf = (c: {
    env: AppEnv["Bindings"];
    var: AppEnv["Variables"];
    req: { header(name: string): string | undefined };
  }) => {
    if (!actorsClient)
      throw new ApiError(503, "actors_unavailable", "Actors are not available on this server");
    const token = bearerToken(c.req.header("authorization"));
    return actorsClient(c.env).growAgent.getOrCreate(growAgentKey(c.var.user.id), { params: { token } });
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(send, async (c) => {
      const result = await agentOf(c)
        .sendMessage(c.req.valid("param").id, c.req.valid("json").text, {
          idempotencyKey: c.req.valid("header")["idempotency-key"],
        })
        .catch(toApiError);
      return c.json(result, 202);
    })
    .openapi(cancel, async (c) => {
      const threadId = c.req.valid("param").id;
      // The actor only knows its own threads anyway; the lookup gives another user's thread its 404.
      if (!(await findThread(c.var.db, c.var.user.id, threadId))) {
        throw new ApiError(404, "thread_not_found", "No such thread");
      }
      const result = await agentOf(c).cancel(threadId).catch(toApiError);
      return c.json(result, 200);
    })
    .openapi(model, (c) => {
      const config = readAgentConfig(c.env);
      return c.json(
        { model: config.model, endpoint: config.endpoint, local: LOCAL_HOST.test(config.endpoint) },
        200,
      );
    });
}

const STATUS_OF_CODE: Record<string, 400 | 401 | 402 | 403 | 404 | 422 | 503> = {
  allowance_exceeded: 402,
  idempotency_key_invalid: 400,
  idempotency_key_reused: 422,
  thread_not_found: 404,
  message_empty: 400,
  message_too_long: 400,
  message_invalid: 400,
  unavailable: 503,
  token_expired: 401,
  invalid_token: 401,
  forbidden: 403,
};

/**
 * The actor's user errors become the API's error shape (`unavailable`, a database outage, a retryable 503);
 * anything else stays a 500.
 */
function toApiError(error: unknown): never {
  const { code, message } = error as { code?: string; message?: string };
  const status = code ? STATUS_OF_CODE[code] : undefined;
  if (code && status) {
    const headers: Record<string, string> =
      status === 503 ? { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SECONDS) } : {};
    throw new ApiError(status, code, message ?? code, headers);
  }
  throw error;
}
