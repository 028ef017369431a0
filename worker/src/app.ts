import { Hono } from "hono";
import { handleError, handleNotFound, requestContext } from "../../platform/request-context";
import { database } from "./db/db.middleware";
import type { AppEnv } from "./env";
import { healthRoutes } from "./health/health.routes";

export function createApp() {
  const api = new Hono<AppEnv>().use(database).route("/", healthRoutes);

  return new Hono<AppEnv>()
    .use(requestContext("worker"))
    .route("/api", api)
    .notFound(handleNotFound)
    .onError(handleError);
}

export type App = ReturnType<typeof createApp>;
