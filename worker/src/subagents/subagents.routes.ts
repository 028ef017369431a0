import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import { authenticatedErrors, notFound, Uuid } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { findSession, finishSession, listSessions, type SessionRow } from "./sessions.repository";

const security = [{ bearerAuth: [] }];
const tags = ["subagents"];

const SubAgent = z
  .object({
    id: Uuid,
    threadId: Uuid.nullable(),
    task: z.string(),
    status: z.enum(["starting", "running", "idle", "completed", "failed", "cancelled"]),
    result: z.string().nullable(),
    error: z.string().nullable(),
    costUsd: z.number(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
    durationMs: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "From start to end (or now, while running)" }),
  })
  .openapi("SubAgent");

const subAgentJson = (row: SessionRow, now = Date.now()) => {
  const start = row.startedAt ?? row.createdAt;
  const end = row.completedAt?.getTime() ?? now;
  return {
    id: row.id,
    threadId: row.threadId,
    task: row.task,
    status: row.status,
    result: row.result,
    error: row.lastError,
    costUsd: row.costUsd,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    durationMs: Math.max(0, end - start.getTime()),
  };
};

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  security,
  summary: "Your sub-agents, newest first, with status and duration",
  responses: {
    200: {
      description: "Sub-agents",
      content: {
        "application/json": { schema: z.object({ items: z.array(SubAgent) }).openapi("SubAgentList") },
      },
    },
    ...authenticatedErrors,
  },
});

const cancel = createRoute({
  method: "post",
  path: "/{id}/cancel",
  tags,
  security,
  summary: "Cancel a running sub-agent (its OpenCode session is aborted)",
  request: { params: z.object({ id: Uuid.openapi({ param: { name: "id", in: "path" } }) }) },
  responses: {
    200: {
      description: "Whether it was running",
      content: { "application/json": { schema: z.object({ cancelled: z.boolean() }) } },
    },
    ...authenticatedErrors,
    ...notFound,
  },
});

export function subAgentRoutes(actorsClient: ActorsClient | undefined) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => {
      const rows = await listSessions(c.var.db, c.var.user.id);
      return c.json({ items: rows.map((row) => subAgentJson(row)) }, 200);
    })
    .openapi(cancel, async (c) => {
      const row = await findSession(c.var.db, c.var.user.id, c.req.valid("param").id);
      if (!row) throw new ApiError("subagent_not_found", "No such sub-agent");
      if (row.status !== "starting" && row.status !== "running") return c.json({ cancelled: false }, 200);
      const actors = userActors(actorsClient, c.env, c.var.user.id);
      try {
        const result = await (await actors.subAgent(row.id)).cancel();
        if (result.cancelled) return c.json(result, 200);
      } catch (error) {
        c.var.log.warn("sub-agent actor unreachable; ending its row", { subAgentId: row.id, error });
      }
      // No live run answered: the row is stale (its actor died or never started). End it so it stops counting.
      await finishSession(c.var.db, c.var.user.id, row.id, {
        status: "cancelled",
        error: "Cancelled",
        costUsd: 0,
      });
      return c.json({ cancelled: true }, 200);
    });
}
