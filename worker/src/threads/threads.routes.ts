import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import { MAX_EVENT_STREAMS_PER_USER } from "../http/limits";
import { authenticatedErrors, jsonBody, jsonResponse, notFound } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { decodeIdCursor, decodeSeqCursor, encodeCursor } from "./cursor";
import { streamThreadEvents } from "./event-stream";
import { eventJson, messageJson, threadJson } from "./serialize";
import { listEvents, listMessages } from "./thread-log.repository";
import { createThread, deleteThread, findThread, listThreads, renameThread } from "./threads.repository";
import {
  CreateThreadBody,
  EventPage,
  EventStreamHeaders,
  EventsQuery,
  eventsResponse,
  MessagePage,
  PageQuery,
  ThreadIdParams,
  ThreadPage,
  ThreadSchema,
  threadNotFound,
  UpdateThreadBody,
} from "./threads.schemas";

const security = [{ bearerAuth: [] }];
const tags = ["threads"];

const routes = {
  create: createRoute({
    method: "post",
    path: "/",
    tags,
    security,
    summary: "Start a thread",
    request: { body: jsonBody(CreateThreadBody) },
    responses: { 201: jsonResponse(ThreadSchema, "The new thread"), ...authenticatedErrors },
  }),
  list: createRoute({
    method: "get",
    path: "/",
    tags,
    security,
    summary: "List your threads, newest first",
    request: { query: PageQuery },
    responses: { 200: jsonResponse(ThreadPage, "A page of threads"), ...authenticatedErrors },
  }),
  get: createRoute({
    method: "get",
    path: "/{id}",
    tags,
    security,
    summary: "Get a thread",
    request: { params: ThreadIdParams },
    responses: { 200: jsonResponse(ThreadSchema, "The thread"), ...authenticatedErrors, ...notFound },
  }),
  update: createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    security,
    summary: "Rename a thread",
    request: { params: ThreadIdParams, body: jsonBody(UpdateThreadBody) },
    responses: { 200: jsonResponse(ThreadSchema, "The updated thread"), ...authenticatedErrors, ...notFound },
  }),
  delete: createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    security,
    summary: "Delete a thread with its messages and events",
    request: { params: ThreadIdParams },
    responses: { 204: { description: "Deleted" }, ...authenticatedErrors, ...notFound },
  }),
  messages: createRoute({
    method: "get",
    path: "/{id}/messages",
    tags,
    security,
    summary: "The thread's messages, oldest first",
    request: { params: ThreadIdParams, query: PageQuery },
    responses: { 200: jsonResponse(MessagePage, "A page of messages"), ...authenticatedErrors, ...notFound },
  }),
  events: createRoute({
    method: "get",
    path: "/{id}/events",
    tags,
    security,
    summary: "The thread's events after a seq, as a JSON page or a live SSE stream",
    description: `With \`Accept: text/event-stream\` the response is a live stream: each event is one SSE message whose \`id\` is its seq. Reconnect with \`Last-Event-ID\` (EventSource does) to resume without gaps or repeats. A user may hold at most ${MAX_EVENT_STREAMS_PER_USER} live streams at once; the next is refused with 429 \`too_many_streams\` and \`Retry-After\` until one closes.`,
    request: {
      params: ThreadIdParams,
      query: EventsQuery,
      headers: EventStreamHeaders,
    },
    responses: {
      200: eventsResponse(EventPage),
      ...authenticatedErrors,
      ...notFound,
    },
  }),
};

/** A thread's resource; `actorsClient` feeds its live stream and hears of its deletion. */
export const threadRoutes = (actorsClient: ActorsClient | undefined) =>
  new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(routes.create, async (c) => {
      const { title } = c.req.valid("json");
      const thread = await createThread(c.var.db, c.var.user.id, title ?? "");
      return c.json(threadJson(thread), 201);
    })
    .openapi(routes.list, async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const page = await listThreads(c.var.db, c.var.user.id, { limit, beforeId: decodeIdCursor(cursor) });
      const last = page.rows.at(-1);
      return c.json(
        { items: page.rows.map(threadJson), nextCursor: page.hasMore && last ? encodeCursor(last.id) : null },
        200,
      );
    })
    .openapi(routes.get, async (c) => {
      const thread = await findThread(c.var.db, c.var.user.id, c.req.valid("param").id);
      if (!thread) throw threadNotFound();
      return c.json(threadJson(thread), 200);
    })
    .openapi(routes.update, async (c) => {
      const thread = await renameThread(
        c.var.db,
        c.var.user.id,
        c.req.valid("param").id,
        c.req.valid("json").title,
      );
      if (!thread) throw threadNotFound();
      return c.json(threadJson(thread), 200);
    })
    .openapi(routes.delete, async (c) => {
      const threadId = c.req.valid("param").id;
      if (!(await deleteThread(c.var.db, c.var.user.id, threadId))) throw threadNotFound();
      // The agent stops a turn still running there and ends the thread's live streams; the thread is gone either way.
      c.executionCtx.waitUntil(
        Promise.resolve()
          .then(() => userActors(actorsClient, c.env, c.var.user.id).existingGrowAgent())
          .then((agent) => agent.threadDeleted(threadId))
          .catch((error) =>
            c.var.log.warn("could not tell the agent of a deleted thread", { threadId, error }),
          ),
      );
      return c.body(null, 204);
    })
    .openapi(routes.messages, async (c) => {
      const { id } = c.req.valid("param");
      const { limit, cursor } = c.req.valid("query");
      const afterSeq = decodeSeqCursor(cursor);
      if (!(await findThread(c.var.db, c.var.user.id, id))) throw threadNotFound();
      const page = await listMessages(c.var.db, id, { limit, afterSeq });
      const last = page.rows.at(-1);
      return c.json(
        {
          items: page.rows.map(messageJson),
          nextCursor: page.hasMore && last ? encodeCursor(last.seq) : null,
        },
        200,
      );
    })
    .openapi(routes.events, async (c) => {
      const { id } = c.req.valid("param");
      const { after, limit } = c.req.valid("query");
      const lastEventId = c.req.valid("header")["last-event-id"];
      if (!(await findThread(c.var.db, c.var.user.id, id))) throw threadNotFound();
      if (c.req.header("accept")?.includes("text/event-stream")) {
        // Last-Event-ID wins: it is what EventSource sends on reconnect, after the URL's original `after`.
        return streamThreadEvents(
          c,
          actorsClient,
          id,
          lastEventId !== undefined ? Number(lastEventId) : (after ?? 0),
        );
      }
      const rows = await listEvents(c.var.db, id, after ?? 0, limit);
      return c.json({ items: rows.map(eventJson), nextAfter: rows.at(-1)?.seq ?? after ?? 0 }, 200);
    });
