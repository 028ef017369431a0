import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { retryAfterSecondsOf } from "../../../contract/error-codes";
import { errorBody } from "../../../platform/api-error";
import type { AppEnv } from "../env";
import { APP_VERSION } from "../version";
import { checkDatabase, checkProvisioner } from "./check-dependencies";

const DependencySchema = z.object({
  status: z.enum(["ok", "down"]),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]).optional(),
    version: z.string(),
    checks: z.record(z.string(), DependencySchema),
    error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }).optional(),
  })
  .openapi("Health");

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Dependency status",
  responses: {
    200: {
      description: "Up (provisioner may be degraded)",
      content: { "application/json": { schema: HealthSchema } },
    },
    503: {
      description: "The database is unreachable",
      content: { "application/json": { schema: HealthSchema } },
    },
  },
});

const version = createRoute({
  method: "get",
  path: "/version",
  tags: ["health"],
  summary: "Build version (no dependencies)",
  responses: {
    200: {
      description: "Version",
      content: { "application/json": { schema: z.object({ version: z.string() }) } },
    },
  },
});

export const healthRoutes = new OpenAPIHono<AppEnv>()
  /**
   * The database is required for every user-facing route, so its loss is a 503; a provisioner outage only
   * degrades stack features and keeps the answer 200.
   */
  .openapi(health, async (c) => {
    const [database, provisioner] = await Promise.all([
      checkDatabase(c.var.db, c.var.log),
      checkProvisioner(c.env.PROVISIONER, c.var.requestId, c.var.log),
    ]);
    const body = { version: APP_VERSION, checks: { database, provisioner } };
    if (database.status === "down") {
      c.header("Retry-After", String(retryAfterSecondsOf("database_unavailable")));
      return c.json(
        { ...errorBody("database_unavailable", "The database is unreachable", c.var.requestId), ...body },
        503,
      );
    }
    return c.json(
      { status: provisioner.status === "ok" ? ("ok" as const) : ("degraded" as const), ...body },
      200,
    );
  })
  /** Static answer with no dependencies: the baseline the benchmarks compare real routes against. */
  .openapi(version, (c) => c.json({ version: APP_VERSION }, 200));
