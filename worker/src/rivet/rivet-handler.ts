import { type Client, createClientWithDriver, type Registry, type RegistryConfig } from "rivetkit";
import { buildManagerRouter } from "rivetkit/driver-helpers";
import { createActorDurableObjectClass } from "./actor-durable-object";
import { forwardToActor } from "./gateway-forward";
import { parseGatewayPath } from "./gateway-path";
import { type ActorNamespace, DurableObjectManagerDriver } from "./manager-driver";
import { upgradeWebSocket } from "./websocket-upgrade";

export interface RivetOnDurableObjectsOptions {
  /** Durable Object binding that hosts the actors (wrangler.toml). Default `ACTOR_DO`. */
  binding?: string;
  /** Path the manager API is mounted at; stripped before RivetKit routes. Default `/api/rivet`. */
  basePath?: string;
}

export interface RivetOnDurableObjects<R extends AnyRegistry = AnyRegistry> {
  /** Export this class from the Worker entry under the name the binding's `class_name` uses. */
  ActorDurableObject: ReturnType<typeof createActorDurableObjectClass>;
  /**
   * Serves RivetKit's manager API (clients, gateway, WebSockets) for requests under `basePath`.
   * `scope` namespaces actor names+keys (tests use one per test case); leave it out in production.
   */
  fetch(request: Request, env: object, scope?: string): Promise<Response>;
  /**
   * A RivetKit client for server-side code (REST routes): calls go straight to the actors' Durable Objects
   * through the manager driver, with the same connection params (and so the same auth) as any client.
   */
  client(env: object): Client<R>;
  /** The actor type and key behind a live actor id, or undefined (malformed, destroyed, never created). */
  describe(env: object, actorId: string): Promise<{ name: string; key: string[] } | undefined>;
  /** Whether `action` is one of actor type `name`'s own actions. */
  hasAction(name: string, action: string): boolean;
}

/**
 * The one entry point: RivetKit actors of `registry` on SQLite-backed Durable Objects.
 * Call it at module scope, before anything parses the registry config.
 */
export function createRivetOnDurableObjects<R extends AnyRegistry>(
  registry: R,
  options: RivetOnDurableObjectsOptions = {},
): RivetOnDurableObjects<R> {
  const binding = options.binding ?? "ACTOR_DO";
  const basePath = (options.basePath ?? "/api/rivet").replace(/\/+$/, "");

  // Must happen before the registry's deferred auto-start reads the config: with serveManager unset and
  // NODE_ENV not "production", RivetKit would advertise (and try to start) a manager on 127.0.0.1:6420.
  registry.config.serveManager = false;
  registry.config.noWelcome = true;
  // The inspector serves its UI from a tarball on disk, which a Worker does not have.
  registry.config.inspector = { enabled: false, token: () => "" };
  // Routes are matched after `basePath` is stripped here.
  registry.config.managerBasePath = "/";
  // RivetKit 2.2.1 finds an action with `name in actions`, which also finds Object.prototype's members: a client
  // calling `constructor` got its action context back. Without a prototype only the actor's own actions are found.
  for (const definition of Object.values(registry.config.use) as Array<{ config: { actions?: object } }>) {
    if (definition.config.actions) Object.setPrototypeOf(definition.config.actions, null);
  }

  let parsed: RegistryConfig | undefined;
  const config = () => {
    parsed ??= registry.parseConfig();
    return parsed;
  };

  // Bindings are the same object for every request of an isolate; drivers read them lazily.
  let currentEnv: Record<string, unknown> = {};
  const routers = new Map<string, Router>();
  const routerFor = (scope: string): Router => {
    let router = routers.get(scope);
    if (!router) {
      const driver = new DurableObjectManagerDriver({
        namespace: () => currentEnv[binding] as ActorNamespace,
        scope: () => scope,
      });
      router = buildManagerRouter(config(), driver, () => upgradeWebSocket).router;
      // Scopes are per test case; keep the cache from growing without bound in a long test run.
      if (routers.size >= MAX_CACHED_SCOPES) routers.delete(routers.keys().next().value as string);
      routers.set(scope, router);
    }
    return router;
  };

  // Gateway requests name the actor by id, so they do not depend on the scope.
  const gateway = new DurableObjectManagerDriver({ namespace: () => currentEnv[binding] as ActorNamespace });

  return {
    ActorDurableObject: createActorDurableObjectClass({ config, binding }),
    async fetch(request, env, scope = "") {
      currentEnv = env as Record<string, unknown>;
      const url = new URL(request.url);
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
        return new Response("Not Found", { status: 404 });
      }
      const path = url.pathname.slice(basePath.length) || "/";
      // Plain HTTP to a known actor (every stateless action) skips RivetKit's router: see gateway-forward.ts.
      // Preflights and WebSocket upgrades keep the router's handling.
      const target =
        request.method !== "OPTIONS" && !request.headers.has("Upgrade") && parseGatewayPath(path);
      const stub = target && gateway.actorStub(target.actorId);
      if (target && stub) {
        return forwardToActor(stub, request, target.actorId, `http://actor${target.actorPath}${url.search}`);
      }
      url.pathname = path;
      return routerFor(scope).fetch(new Request(url, request));
    },
    describe: (env, actorId) =>
      describeActor((env as Record<string, unknown>)[binding] as DurableObjectNamespace, actorId),
    hasAction: (name, action) => {
      const actions = registry.config.use[name]?.config.actions;
      return !!actions && Object.hasOwn(actions, action);
    },
    client(env) {
      const driver = new DurableObjectManagerDriver({
        namespace: () => (env as Record<string, unknown>)[binding] as ActorNamespace,
      });
      return createClientWithDriver<R>(driver);
    },
  };
}

/**
 * Name and key of the live actor `actorId` names (unscoped, as in production), or undefined when none lives
 * under that id: lets a guard in front of `fetch` check who owns the actor of a gateway request. Never creates one.
 */
export async function describeActor(
  namespace: DurableObjectNamespace,
  actorId: string,
): Promise<{ name: string; key: string[] } | undefined> {
  const driver = new DurableObjectManagerDriver({ namespace: () => namespace as unknown as ActorNamespace });
  const found = await driver.describe(actorId);
  return found && { name: found.name, key: found.key };
}

const MAX_CACHED_SCOPES = 32;

type Router = { fetch(request: Request): Response | Promise<Response> };

// biome-ignore lint/suspicious/noExplicitAny: a registry of any actors; RivetKit's own helpers take Registry<any>.
type AnyRegistry = Registry<any>;
