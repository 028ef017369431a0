import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import {
  authenticatedErrors,
  jsonResponse,
  NO_NUL,
  NO_NUL_MESSAGE,
  notFound,
} from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { findThread } from "./threads.repository";
import { ThreadIdParams, threadNotFound } from "./threads.schemas";

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
        "True when a message with this `Idempotency-Key` was already stored: nothing new is stored, and the message gets one turn (started by this send only if the first was cut off before starting it)",
    }),
  })
  .openapi("SentMessage");

const send = createRoute({
  method: "post",
  path: "/{id}/messages",
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

const RegenerateResult = z
  .object({
    turnId: z.uuid().openapi({ description: "The new turn, answering `messageId` again" }),
    supersededTurnId: z
      .uuid()
      .openapi({ description: "The reply it replaces (`turn.superseded` in the log)" }),
    messageId: z.uuid(),
    replayed: z.boolean().openapi({
      description:
        "True when a regenerate with this `Idempotency-Key` already started the turn: nothing new ran",
    }),
  })
  .openapi("RegenerateResult");

const regenerate = createRoute({
  method: "post",
  path: "/{id}/regenerate",
  tags: ["threads"],
  security,
  summary: "Regenerate the thread's last reply",
  description:
    "Replaces the last reply with a new turn answering the same user message and answers at once: the log gets the new turn's `turn.started`, then `turn.superseded` (old and new turn ids), then the rest of the new turn's events. The replaced reply is never sent to the model again. Send `Idempotency-Key` to make a retried request start one turn.",
  request: {
    params: ThreadIdParams,
    headers: z.object({ "idempotency-key": IdempotencyKeyHeader }),
  },
  responses: {
    202: jsonResponse(RegenerateResult, "The new turn runs"),
    402: {
      ...authenticatedErrors[400],
      description:
        "The plan's tokens for this period are used up (`allowance_exceeded`); upgrade at /billing",
    },
    409: {
      ...authenticatedErrors[400],
      description:
        "A turn runs or waits in the thread (`turn_running`), or its last message has no reply (`nothing_to_regenerate`)",
    },
    ...authenticatedErrors,
    ...notFound,
  },
});

const cancel = createRoute({
  method: "post",
  path: "/{id}/cancel",
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

/**
 * A thread's commands for API consumers (the SPA sends on its live connection instead): each is one call into the
 * user's growAgent with the Worker's internal credentials, so the token is verified once, here.
 */
export function messageRoutes(actorsClient: ActorsClient | undefined) {
  const agentOf = (c: { env: AppEnv["Bindings"]; var: AppEnv["Variables"] }) =>
    userActors(actorsClient, c.env, c.var.user.id).growAgent();

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(send, async (c) => {
      const agent = await agentOf(c);
      const result = await agent.sendMessage(c.req.valid("param").id, c.req.valid("json").text, {
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      return c.json(result, 202);
    })
    .openapi(regenerate, async (c) => {
      const threadId = c.req.valid("param").id;
      // As for cancel: the lookup gives another user's thread its 404 before the actor is reached.
      if (!(await findThread(c.var.db, c.var.user.id, threadId))) throw threadNotFound();
      const agent = await agentOf(c);
      const result = await agent.regenerate(threadId, {
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      return c.json(result, 202);
    })
    .openapi(cancel, async (c) => {
      const threadId = c.req.valid("param").id;
      // The actor only knows its own threads anyway; the lookup gives another user's thread its 404.
      if (!(await findThread(c.var.db, c.var.user.id, threadId))) throw threadNotFound();
      const agent = await agentOf(c);
      const result = await agent.cancel(threadId);
      return c.json(result, 200);
    });
}
