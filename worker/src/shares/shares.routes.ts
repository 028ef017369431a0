import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import { retry } from "../../../platform/retry";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import {
  authenticatedErrors,
  ErrorSchema,
  jsonBody,
  jsonResponse,
  notFound,
} from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { findThread } from "../threads/threads.repository";
import { ThreadIdParams, threadNotFound } from "../threads/threads.schemas";
import { newShareToken } from "./share-token";
import { createShare, listShares, revokeShare, type ShareRow } from "./shares.repository";
import {
  CreatedShareSchema,
  CreateShareBody,
  MAX_SHARES_PER_THREAD,
  ShareList,
  ShareParams,
  ShareSchema,
  shareNotFound,
} from "./shares.schemas";

const security = [{ bearerAuth: [] }];
const tags = ["shares"];

const routes = {
  create: createRoute({
    method: "post",
    path: "/{id}/shares",
    tags,
    security,
    summary: "Make a read-only link to the thread",
    description:
      "Anyone holding the link sees the thread's conversation and its live stream, without signing in, and nothing else. The token is in this answer only: the server keeps its SHA-256.",
    request: { params: ThreadIdParams, body: jsonBody(CreateShareBody) },
    responses: {
      201: jsonResponse(CreatedShareSchema, "The new link, with its token (shown once)"),
      409: jsonResponse(
        ErrorSchema,
        `The thread already has ${MAX_SHARES_PER_THREAD} links (too_many_shares)`,
      ),
      ...authenticatedErrors,
      ...notFound,
    },
  }),
  list: createRoute({
    method: "get",
    path: "/{id}/shares",
    tags,
    security,
    summary: "The thread's share links, newest first (tokens are not kept)",
    request: { params: ThreadIdParams },
    responses: { 200: jsonResponse(ShareList, "The links"), ...authenticatedErrors, ...notFound },
  }),
  revoke: createRoute({
    method: "delete",
    path: "/{id}/shares/{shareId}",
    tags,
    security,
    summary: "Revoke a share link at once (open live streams of it end)",
    request: { params: ShareParams },
    responses: { 200: jsonResponse(ShareSchema, "The revoked link"), ...authenticatedErrors, ...notFound },
  }),
};

function shareJson(row: ShareRow, now = Date.now()) {
  const status = row.revokedAt
    ? "revoked"
    : row.expiresAt && row.expiresAt.getTime() <= now
      ? "expired"
      : "active";
  return {
    id: row.id,
    threadId: row.threadId,
    status: status as "active" | "revoked" | "expired",
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** The owner's side of share links, under /threads (requireUser): another user's thread or link is 404. */
export const shareRoutes = (actorsClient: ActorsClient | undefined) =>
  new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(routes.create, async (c) => {
      const { id } = c.req.valid("param");
      const { expiresInSeconds } = c.req.valid("json");
      const userId = c.var.user.id;
      if (!(await findThread(c.var.db, userId, id))) throw threadNotFound();
      const { token, tokenHash } = await newShareToken();
      const expiresAt = expiresInSeconds ? new Date(Date.now() + expiresInSeconds * 1000) : null;
      const share = { userId, threadId: id, tokenHash, expiresAt };
      const row = await createShare(c.var.db, share, MAX_SHARES_PER_THREAD);
      if (!row) {
        throw new ApiError("too_many_shares", `A thread has at most ${MAX_SHARES_PER_THREAD} share links`);
      }
      return c.json({ ...shareJson(row), token, path: `/share/${token}` }, 201);
    })
    .openapi(routes.list, async (c) => {
      const { id } = c.req.valid("param");
      if (!(await findThread(c.var.db, c.var.user.id, id))) throw threadNotFound();
      const rows = await listShares(c.var.db, c.var.user.id, id, MAX_SHARES_PER_THREAD);
      return c.json({ items: rows.map((row) => shareJson(row)) }, 200);
    })
    .openapi(routes.revoke, async (c) => {
      const { id, shareId } = c.req.valid("param");
      const userId = c.var.user.id;
      const row = await revokeShare(c.var.db, userId, id, shareId);
      if (!row) throw shareNotFound();
      // Streams of the link, in any isolate, hold a connection to the owner's agent: it tells them to end, retried
      // (a stream not told re-checks the link only when it reconnects). New requests are refused already.
      c.executionCtx.waitUntil(
        retry(
          async () => {
            const agent = await userActors(actorsClient, c.env, userId).existingGrowAgent();
            await agent.shareRevoked(shareId);
          },
          { attempts: 5, maxElapsedMs: 20_000 },
        ).catch((error) => c.var.log.warn("could not tell the agent of a revoked share", { shareId, error })),
      );
      return c.json(shareJson(row), 200);
    });
