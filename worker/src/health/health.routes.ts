import { Hono } from "hono";
import { errorBody } from "../../../platform/api-error";
import type { AppEnv } from "../env";
import { APP_VERSION } from "../version";
import { checkDatabase, checkProvisioner } from "./check-dependencies";

export const healthRoutes = new Hono<AppEnv>()
  /**
   * Liveness and dependency status. The database is required for every user-facing route, so its loss is a
   * 503; a provisioner outage only degrades stack features and keeps the answer 200.
   */
  .get("/health", async (c) => {
    const [database, provisioner] = await Promise.all([
      checkDatabase(c.var.db, c.var.log),
      checkProvisioner(c.env.PROVISIONER, c.var.requestId, c.var.log),
    ]);
    const checks = { database, provisioner };
    const body = { version: APP_VERSION, checks };
    if (database.status === "down") {
      return c.json(
        { ...errorBody("database_unavailable", "The database is unreachable", c.var.requestId), ...body },
        503,
        { "Retry-After": "5" },
      );
    }
    return c.json({ status: provisioner.status === "ok" ? "ok" : "degraded", ...body });
  })
  /** Static answer with no dependencies: the baseline the benchmarks compare real routes against. */
  .get("/version", (c) => c.json({ version: APP_VERSION }));
