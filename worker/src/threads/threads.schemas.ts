import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import { Cursor, NO_NUL, NO_NUL_MESSAGE, PageLimit, pageOf, Uuid } from "../openapi/common.schemas";

export const MAX_TITLE_LENGTH = 200;

const Title = z
  .string()
  .trim()
  .max(MAX_TITLE_LENGTH)
  .regex(NO_NUL, NO_NUL_MESSAGE)
  .openapi({ description: `Up to ${MAX_TITLE_LENGTH} characters`, example: "Plan my week" });

export const ThreadSchema = z
  .object({
    id: Uuid,
    title: z.string(),
    lastSeq: z.number().int().openapi({ description: "Seq of the thread's latest event (0 when none)" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Thread");

export const CreateThreadBody = z.strictObject({ title: Title.optional() }).openapi("CreateThread");
export const UpdateThreadBody = z.strictObject({ title: Title }).openapi("UpdateThread");

export const MessageSchema = z
  .object({
    id: Uuid,
    threadId: Uuid,
    seq: z.number().int().openapi({ description: "Gapless per thread, from 1" }),
    role: z.enum(["user", "assistant"]),
    content: z.unknown().openapi({ description: "Anthropic content blocks" }),
    status: z.enum(["complete", "partial", "error"]),
    usage: z.unknown().nullable(),
    supersededBy: Uuid.nullable().openapi({
      description:
        "Set on the messages of a reply that was regenerated: the turn that replaced it. Such messages are never sent to the model again",
    }),
    createdAt: z.iso.datetime(),
  })
  .openapi("Message");

export const EventSchema = z
  .object({
    seq: z.number().int().openapi({ description: "Gapless per thread, from 1" }),
    threadId: Uuid,
    type: z.string().openapi({ example: "text.delta" }),
    at: z.iso.datetime(),
    data: z.unknown(),
  })
  .openapi("Event");

export const ThreadPage = pageOf(ThreadSchema, "ThreadPage");
export const MessagePage = pageOf(MessageSchema, "MessagePage");

export const EventPage = z
  .object({
    items: z.array(EventSchema),
    nextAfter: z
      .number()
      .int()
      .openapi({ description: "Pass as `after` to continue; equals `after` when nothing new" }),
  })
  .openapi("EventPage");

export const ThreadIdParams = z.object({
  id: Uuid.openapi({ param: { name: "id", in: "path" } }),
});

export const PageQuery = z.object({ limit: PageLimit, cursor: Cursor });

export const EventsQuery = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .openapi({
      param: { name: "after", in: "query" },
      description: "Return events with seq > after (default 0)",
    }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .openapi({ param: { name: "limit", in: "query" }, description: "Page size (1–500)" }),
});

export const threadNotFound = () => new ApiError("thread_not_found", "No such thread");

/** `Last-Event-ID`, sent by EventSource when it reconnects: the stream resumes after that seq. */
export const EventStreamHeaders = z.object({
  "last-event-id": z
    .string()
    .regex(/^\d{1,15}$/)
    .optional()
    .openapi({ description: "Resume after this seq (SSE)" }),
});

/** The 200 of an events route: a JSON page, or with `Accept: text/event-stream` the live stream. */
export const eventsResponse = (page: z.ZodType) => ({
  description: "A page of events, or the live stream",
  content: {
    "application/json": { schema: page },
    "text/event-stream": {
      schema: z.string().openapi({ description: "SSE; data is an Event as JSON" }),
    },
  },
});
