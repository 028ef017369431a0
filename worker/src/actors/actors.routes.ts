import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Client } from "rivetkit";
import { ActorNotFound } from "rivetkit/errors";
import { ApiError } from "../../../platform/api-error";
import { bearerToken } from "../auth/verify-token";
import type { AppEnv } from "../env";
import { authenticatedErrors, notFound, Uuid } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { type ActorRow, findUserActor, listUserActors, recordActorStatus } from "./actor-mirror";
import type { Registry } from "./registry";

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
  })
  .openapi("Actor");

const actorJson = (row: ActorRow) => ({
  id: row.id,
  type: row.actorType,
  key: JSON.parse(row.actorKey) as string[],
  rivetActorId: row.rivetActorId,
  status: row.status,
  generation: row.generation,
  createdAt: row.createdAt.toISOString(),
  lastActiveAt: row.lastActiveAt.toISOString(),
});

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

export type ActorsClient = (env: AppEnv["Bindings"]) => Client<Registry>;

export function actorRoutes(actorsClient: ActorsClient | undefined) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => {
      const rows = await listUserActors(c.var.db, c.var.user.id);
      return c.json({ items: rows.map(actorJson) }, 200);
    })
    .openapi(stop, async (c) => {
      const row = await findUserActor(c.var.db, c.var.user.id, c.req.valid("param").id);
      if (!row) throw new ApiError(404, "actor_not_found", "No such actor");
      if (row.actorType === "growAgent") {
        throw new ApiError(
          409,
          "cannot_stop_grow_agent",
          "Your Grow Agent is always available; stop its sub-agents instead",
        );
      }
      if (row.status !== "destroyed" && row.rivetActorId) {
        if (!actorsClient)
          throw new ApiError(503, "actors_unavailable", "Actors are not available on this server");
        // The caller's own token goes along, so the actor runs the same ownership check as for any client.
        const token = bearerToken(c.req.header("authorization"));
        try {
          await actorsClient(c.env).subAgent.getForId(row.rivetActorId, { params: { token } }).stop();
        } catch (error) {
          if (!(error instanceof ActorNotFound) && (error as { code?: string }).code !== "not_found")
            throw error;
        }
        await recordActorStatus(c.var.db, row.rivetActorId, "destroyed");
      }
      const updated = (await findUserActor(c.var.db, c.var.user.id, row.id)) ?? row;
      return c.json(actorJson(updated), 200);
    });
}
