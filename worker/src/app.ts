import { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import { allowedMethods } from "../../platform/method-not-allowed";
import { handleError, handleNotFound, jsonError, requestContext } from "../../platform/request-context";
import { actorRoutes } from "./actors/actors.routes";
import { corsForRivet, guardRivet, type RivetMount } from "./actors/manager-guard";
import type { ActorsClient } from "./actors/user-actors";
import { requireUser } from "./auth/require-user";
import { billingRoutes } from "./billing/billing.routes";
import { webhookRoutes } from "./billing/webhook.routes";
import { database } from "./db/db.middleware";
import type { AppEnv } from "./env";
import { gatewayRoutes } from "./gateway/gateway.routes";
import { healthRoutes } from "./health/health.routes";
import { asApiError } from "./http/api-errors";
import { limitBody } from "./http/body-limit";
import { checkConfig } from "./http/check-config";
import { corsForSpa } from "./http/cors";
import { rateLimitPerUser } from "./http/rate-limit";
import { liveRoutes } from "./live/live.routes";
import { memoryRoutes } from "./memory/memory.routes";
import { mountOpenApi } from "./openapi/openapi.routes";
import { scheduleRoutes } from "./schedules/schedules.routes";
import { sharedHeaders, sharedRoutes } from "./shares/shared.routes";
import { shareRoutes } from "./shares/shares.routes";
import { stackRoutes } from "./stack/stack.routes";
import { subAgentRoutes } from "./subagents/subagents.routes";
import { messageRoutes } from "./threads/messages.routes";
import { threadRoutes } from "./threads/threads.routes";
import { agentRoutes } from "./users/agent.routes";
import { meRoutes } from "./users/me.routes";

export interface AppDeps {
  /** RivetKit on Durable Objects; absent where no Workers runtime is (OpenAPI generation in Node). */
  rivet?: RivetMount & { client: ActorsClient };
}

/** Everything under /api; also the source of the OpenAPI document (`api.getOpenAPI31Document`). */
export function createApi(deps: AppDeps = {}) {
  const api = new OpenAPIHono<AppEnv>();
  api.use(corsForSpa, checkConfig, limitBody, database);
  api.route("/", healthRoutes);
  mountOpenApi(api);
  // Everything below needs a verified user, and counts against that user's rate limit.
  api.use("/me", requireUser, rateLimitPerUser);
  // "/threads/*" also matches "/threads" itself: registering both would run the middleware twice.
  api.use("/threads/*", requireUser, rateLimitPerUser);
  api.use("/actors/*", requireUser, rateLimitPerUser);
  api.use("/stack/*", requireUser, rateLimitPerUser);
  api.use("/agent", requireUser, rateLimitPerUser);
  api.use("/memory/*", requireUser, rateLimitPerUser);
  api.use("/billing/*", requireUser, rateLimitPerUser);
  api.use("/subagents/*", requireUser, rateLimitPerUser);
  api.use("/schedules/*", requireUser, rateLimitPerUser);
  api.route("/me", meRoutes);
  api.route("/threads", threadRoutes(deps.rivet?.client));
  api.route("/threads", messageRoutes(deps.rivet?.client));
  api.route("/threads", shareRoutes(deps.rivet?.client));
  api.route("/agent", agentRoutes);
  api.route("/actors", actorRoutes(deps.rivet?.client));
  api.route("/stack", stackRoutes);
  api.route("/memory", memoryRoutes(deps.rivet?.client));
  api.route("/billing", billingRoutes);
  // Signed by Stripe instead of a user token (worker/src/billing/webhook.routes.ts).
  api.route("/webhooks", webhookRoutes);
  api.route("/subagents", subAgentRoutes(deps.rivet?.client));
  // Share links: no user token; the link's token names one thread and its owner (worker/src/shares/).
  api.use("/shared/*", sharedHeaders);
  api.route("/shared", sharedRoutes(deps.rivet?.client));
  api.route("/schedules", scheduleRoutes(deps.rivet?.client));
  return api;
}

export function createApp(deps: AppDeps = {}) {
  const api = createApi(deps);
  const app = new Hono<AppEnv>().use(requestContext("worker"));
  // RivetKit's manager API (actor lookups, calls and connections) sits beside the REST API: its errors have
  // RivetKit's shape and its credentials travel in connection params. The guard gives it the REST API's
  // protections on those terms: credentials and key ownership, allowlisted CORS, body and per-user rate limits.
  const rivet = deps.rivet;
  if (rivet) app.all("/api/rivet/*", corsForRivet, database, guardRivet(rivet));
  // The live channel (a WebSocket to the user's hibernating LiveHub): its token comes in a sub-protocol, since
  // browsers cannot set headers on a WebSocket (worker/src/live/, docs/decisions/0011).
  app.use("/api/live", checkConfig, database);
  app.route("/api/live", liveRoutes);
  // OpenCode machines' model calls: authenticated by their stack credential, not a session (worker/src/gateway/).
  app.route("/api/model-gateway", gatewayRoutes);
  app.route("/api", api);
  return app
    .notFound((c) => {
      const allow = allowedMethods(app.routes, c.req.path);
      if (allow.length === 0) return handleNotFound(c);
      c.header("Allow", allow.join(", "));
      return jsonError(
        c,
        405,
        "method_not_allowed",
        `${c.req.method} is not allowed here; use ${allow.join(", ")}`,
      );
    })
    .onError((error, c) => {
      const api = asApiError(error);
      if (api && api.status >= 500)
        c.var.log?.error(api.code, { error, cause: (error as { cause?: unknown }).cause });
      return handleError(api ?? error, c);
    });
}
