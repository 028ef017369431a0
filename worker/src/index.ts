import { registry } from "./actors/registry";
import { createApp } from "./app";
import { runScheduledBilling } from "./billing/scheduled";
import type { Env } from "./env";
import { createRivetOnDurableObjects } from "./rivet";

// At module scope, before anything reads the registry's config (see worker/src/rivet/rivet-handler.ts).
const rivet = createRivetOnDurableObjects(registry);
const app = createApp({
  rivet: {
    fetch: rivet.fetch,
    describe: rivet.describe,
    hasAction: rivet.hasAction,
    client: (env) => rivet.client(env),
  },
});

export const ActorDurableObject = rivet.ActorDurableObject;
export { UsageReports } from "./billing/usage-reports.do";
export { LiveHub } from "./live/live-hub.do";

export default {
  fetch: app.fetch,
  // Daily cron (wrangler.toml): the safety net of the usage-reports alarm (token usage to the Stripe meter).
  scheduled: (_controller, env, ctx) => ctx.waitUntil(runScheduledBilling(env)),
} satisfies ExportedHandler<Env>;
