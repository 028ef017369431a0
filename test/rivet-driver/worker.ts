import { Hono } from "hono";
import { createRivetOnDurableObjects } from "../../worker/src/rivet";
import { registry } from "./registry";

// Test mode turns on the `/.test/*` routes the suite's inline client type and force-disconnect use.
registry.config.test = { enabled: true };

const rivet = createRivetOnDurableObjects(registry, { binding: "ACTOR_DO", basePath: "/api/rivet" });

/**
 * Mounts RivetKit the way the app does (a Hono route), once per test scope: `/s/<scope>/api/rivet/*`.
 * The suite reuses keys such as `["test"]` across its six client/encoding runs; one shared `wrangler dev`
 * stays deterministic only if every test case gets fresh actors, so each gets its own scope.
 */
interface FixtureEnv {
  ACTOR_DO: DurableObjectNamespace;
}

const app = new Hono<{ Bindings: FixtureEnv }>()
  .get("/health", (c) => c.text("ok"))
  .all("/s/:scope/api/rivet/*", (c) => {
    const scope = c.req.param("scope");
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice(`/s/${scope}`.length);
    return rivet.fetch(new Request(url, c.req.raw), c.env, scope);
  })
  .all("/api/rivet/*", (c) => rivet.fetch(c.req.raw, c.env));

export const ActorDurableObject = rivet.ActorDurableObject;
export default { fetch: app.fetch };
