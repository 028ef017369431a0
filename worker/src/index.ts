import { registry } from "./actors/registry";
import type { ActorsClient } from "./actors/user-actors";
import { createApp } from "./app";
import { runScheduledBilling } from "./billing/scheduled";
import type { Env } from "./env";
import { liveHubClass } from "./live/live-hub.do";
import { createRivetOnDurableObjects } from "./rivet";

// At module scope, before anything reads the registry's config (see worker/src/rivet/rivet-handler.ts).
const rivet = createRivetOnDurableObjects(registry);
const actorsClient: ActorsClient = (env) => rivet.client(env);
const app = createApp({
  rivet: { fetch: rivet.fetch, describe: rivet.describe, hasAction: rivet.hasAction, client: actorsClient },
});

export const ActorDurableObject = rivet.ActorDurableObject;
export { UsageReports } from "./billing/usage-reports.do";
// The hub tells a user's agent when a socket opens, through the same client as the REST routes.
export const LiveHub = liveHubClass(actorsClient);

export default {
  fetch: app.fetch,
  // Daily cron (wrangler.toml): the safety net of the usage-reports alarm (token usage to the Stripe meter).
  scheduled: (_controller, env, ctx) => ctx.waitUntil(runScheduledBilling(env)),
} satisfies ExportedHandler<Env>;
