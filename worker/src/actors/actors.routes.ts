import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import type { Database } from "../../../schema/db";
import type { AppEnv } from "../env";
import { authenticatedErrors, notFound, Uuid } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { isActorNotFound } from "./actor-errors";
import { type ActorRow, findUserActor, listUserActors, recordActorStatus } from "./actor-mirror";
import { type SubAgentTask, subAgentTasks } from "./actor-subagents.repository";
import { type ActorsClient, userActors } from "./user-actors";

const ActorSchema = z
  .object({
    id: Uuid,
    type: z.enum(["growAgent", "subAgent"]),
    key: z.array(z.string()),
    rivetActorId: z.string().nullable(),
    status: z.enum(["creating", "active", "sleeping", "destroyed"]),
    generation: z.number().int(),
    createdAt: z.iso.datetime(),
    lastActiveAt: z.iso.datetime(),
    subAgent: z
      .object({
        id: Uuid,
        threadId: Uuid.nullable().openapi({ description: "The thread whose Grow Agent started it" }),
        task: z.string(),
        status: z.enum(["starting", "running", "idle", "completed", "failed", "cancelled"]),
      })
      .nullable()
      .openapi({
        description: "A sub-agent's task (GET /api/subagents has the rest); null for the Grow Agent",
      }),
  })
  .openapi("Actor");

const actorJson = (row: ActorRow, task: SubAgentTask | null = null) => ({
  id: row.id,
  type: row.actorType,
  key: JSON.parse(row.actorKey) as string[],
  rivetActorId: row.rivetActorId,
  status: row.status,
  generation: row.generation,
  createdAt: row.createdAt.toISOString(),
  lastActiveAt: row.lastActiveAt.toISOString(),
  subAgent: task,
});

/** A sub-agent actor's key is [userId, its session id]; anything else has no task. */
const sessionIdOf = (row: ActorRow): string | undefined =>
  row.actorType === "subAgent" ? (JSON.parse(row.actorKey) as string[])[1] : undefined;

/** The rows with their tasks joined in (one query for the page). */
async function withTasks(db: Database, userId: string, rows: ActorRow[]) {
  const ids = rows.map(sessionIdOf).filter((id): id is string => id !== undefined && UUID.test(id));
  const tasks = new Map((await subAgentTasks(db, userId, ids)).map((task) => [task.id, task]));
  return rows.map((row) => actorJson(row, tasks.get(sessionIdOf(row) ?? "") ?? null));
}

// Session ids are UUIDs; a key that is not one (none should exist) is not looked up.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const security = [{ bearerAuth: [] }];
const tags = ["actors"];

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  security,
  summary: "Your actors (Grow Agent and sub-agents) and their status",
  description: "Read from the Postgres mirror of actor lifecycles: listing never wakes an actor.",
  responses: {
    200: {
      description: "Your actors, most recently active first",
      content: {
        "application/json": { schema: z.object({ items: z.array(ActorSchema) }).openapi("ActorList") },
      },
    },
    ...authenticatedErrors,
  },
});

const stop = createRoute({
  method: "post",
  path: "/{id}/stop",
  tags,
  security,
  summary: "Stop a sub-agent for good",
  description:
    "Destroys the sub-agent actor; its id stops resolving. Idempotent. The Grow Agent cannot be stopped.",
  request: { params: z.object({ id: Uuid.openapi({ param: { name: "id", in: "path" } }) }) },
  responses: {
    200: { description: "Stopped", content: { "application/json": { schema: ActorSchema } } },
    409: authenticatedErrors[400],
    ...authenticatedErrors,
    ...notFound,
  },
});

export function actorRoutes(actorsClient: ActorsClient | undefined) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => {
      const rows = await listUserActors(c.var.db, c.var.user.id);
      return c.json({ items: await withTasks(c.var.db, c.var.user.id, rows) }, 200);
    })
    .openapi(stop, async (c) => {
      const row = await findUserActor(c.var.db, c.var.user.id, c.req.valid("param").id);
      if (!row) throw new ApiError("actor_not_found", "No such actor");
      if (row.actorType === "growAgent") {
        throw new ApiError(
          "cannot_stop_grow_agent",
          "Your Grow Agent is always available; stop its sub-agents instead",
        );
      }
      if (row.status !== "destroyed" && row.rivetActorId) {
        const actors = userActors(actorsClient, c.env, c.var.user.id);
        try {
          // The actor still checks that its key is this user's (connection-auth.ts).
          await (await actors.subAgentById(row.rivetActorId)).stop();
        } catch (error) {
          if (!isActorNotFound(error)) throw error;
        }
        await recordActorStatus(c.var.db, row.rivetActorId, "destroyed");
      }
      const updated = (await findUserActor(c.var.db, c.var.user.id, row.id)) ?? row;
      const [json] = await withTasks(c.var.db, c.var.user.id, [updated]);
      return c.json(json ?? actorJson(updated), 200);
    });
}
