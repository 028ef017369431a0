import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../../platform/api-error";
import { ConcurrencySlots } from "../../../platform/concurrency-slots";
import type { ActorsClient } from "../actors/user-actors";
import { withDatabase } from "../db/open-database";
import type { AppEnv } from "../env";
import { MAX_STREAM_MS, RATE_LIMIT_WINDOW_SECONDS } from "../http/limits";
import { takeUserRequest } from "../http/rate-limit";
import { ErrorSchema, jsonResponse } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { openEventStream } from "../threads/event-stream";
import { eventJson } from "../threads/serialize";
import { listEvents } from "../threads/thread-log.repository";
import { EventStreamHeaders, EventsQuery, eventsResponse } from "../threads/threads.schemas";
import { hashShareToken } from "./share-token";
import { sharedEvent } from "./shared-events";
import { findLiveShare, type LiveShare } from "./shares.repository";
import { SharedEventPage, SharedThreadSchema, ShareTokenParams, shareNotFound } from "./shares.schemas";

/**
 * Live streams per link at once (in this isolate, like the per-user cap): each holds a connection to the owner's
 * agent, so a link passed around widely must not keep it busy without bound. Not the owner's own slots: a link's
 * viewers cannot lock its owner out of their streams.
 */
const MAX_STREAMS_PER_SHARE = 16;
const sharedStreams = new ConcurrencySlots(MAX_STREAMS_PER_SHARE);
/** And per owner across all their links: more links must not mean more load on one agent. */
const MAX_SHARED_STREAMS_PER_OWNER = 32;
const ownerStreams = new ConcurrencySlots(MAX_SHARED_STREAMS_PER_OWNER);

const tags = ["shared"];
const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});
const publicErrors = {
  400: error("Not a share token, or invalid input"),
  404: error("No such link: never made, revoked or expired (one answer for all three)"),
  429: error("Too many requests for this link; see Retry-After"),
  503: error("A dependency is unavailable"),
} as const;

const routes = {
  thread: createRoute({
    method: "get",
    path: "/{token}",
    tags,
    summary: "A shared thread (no sign-in: the link's token is the credential)",
    request: { params: ShareTokenParams },
    responses: {
      200: jsonResponse(SharedThreadSchema, "The thread's title and the link's expiry"),
      ...publicErrors,
    },
  }),
  events: createRoute({
    method: "get",
    path: "/{token}/events",
    tags,
    summary: "A shared thread's events, as a JSON page or a live SSE stream",
    description:
      "As `GET /threads/{id}/events`, without sign-in and with less: tool inputs and results, usage, notices about the owner's account and memory failures are not shown (their seqs are skipped). A live stream ends when the link is revoked or expires; resuming then answers 404.",
    request: {
      params: ShareTokenParams,
      query: EventsQuery,
      headers: EventStreamHeaders,
    },
    responses: {
      200: eventsResponse(SharedEventPage),
      ...publicErrors,
    },
  }),
};

/** Nothing a link answers is stored by a browser or proxy, and the page's address leaves with no request. */
export const sharedHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
};

const rateLimited = () =>
  new ApiError("rate_limited", `Too many requests; retry in ${RATE_LIMIT_WINDOW_SECONDS} seconds`, {
    "Retry-After": String(RATE_LIMIT_WINDOW_SECONDS),
  });

/**
 * The link behind a token, checked on every request: the owner and the thread come from the row, never from the
 * client. Counted against the rate limit per link (before the lookup: a guess costs one indexed query, and a
 * 256-bit token is not found by guessing) and then per owner, so many links of one owner add no budget.
 */
async function liveShare(c: { env: AppEnv["Bindings"]; var: AppEnv["Variables"] }, token: string) {
  const tokenHash = await hashShareToken(token);
  if (!(await takeUserRequest(c.env, `share:${tokenHash}`))) throw rateLimited();
  const share = await findLiveShare(c.var.db, tokenHash);
  if (!share) throw shareNotFound();
  if (!(await takeUserRequest(c.env, `share-owner:${share.ownerId}`))) throw rateLimited();
  return { ...share, tokenHash };
}

const streamDeadline = (share: LiveShare) =>
  Math.min(Date.now() + MAX_STREAM_MS, share.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);

/** What anyone holding a share link may read: one thread's conversation, nothing of its owner. */
export const sharedRoutes = (actorsClient: ActorsClient | undefined) =>
  new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(routes.thread, async (c) => {
      const share = await liveShare(c, c.req.valid("param").token);
      return c.json(
        {
          title: share.thread.title,
          lastSeq: share.thread.lastSeq,
          createdAt: share.thread.createdAt.toISOString(),
          expiresAt: share.expiresAt?.toISOString() ?? null,
        },
        200,
      );
    })
    .openapi(routes.events, async (c) => {
      const share = await liveShare(c, c.req.valid("param").token);
      const { after, limit } = c.req.valid("query");
      const lastEventId = c.req.valid("header")["last-event-id"];
      const threadId = share.thread.id;
      const env = c.env;
      if (c.req.header("accept")?.includes("text/event-stream")) {
        return openEventStream(c, actorsClient, {
          ownerId: share.ownerId,
          threadId,
          after: lastEventId !== undefined ? Number(lastEventId) : (after ?? 0),
          deadline: streamDeadline(share),
          acquire: () => {
            const releaseLink = sharedStreams.acquire(share.shareId);
            if (!releaseLink) {
              throw new ApiError(
                "too_many_streams",
                `At most ${MAX_STREAMS_PER_SHARE} live streams per link`,
              );
            }
            const releaseOwner = ownerStreams.acquire(share.ownerId);
            if (!releaseOwner) {
              releaseLink();
              throw new ApiError("too_many_streams", "Too many live streams of this owner's links");
            }
            return () => {
              releaseLink();
              releaseOwner();
            };
          },
          present: sharedEvent,
          endOn: {
            event: "shareRevoked",
            matches: (payload) => (payload as { shareId?: unknown })?.shareId === share.shareId,
            stillValid: async () =>
              (await withDatabase(env, (db) => findLiveShare(db, share.tokenHash))) !== undefined,
          },
        });
      }
      const rows = await listEvents(c.var.db, threadId, after ?? 0, limit);
      const items = rows.map((row) => sharedEvent(eventJson(row))).filter((event) => event !== undefined);
      return c.json({ items, nextAfter: rows.at(-1)?.seq ?? after ?? 0 }, 200);
    });
