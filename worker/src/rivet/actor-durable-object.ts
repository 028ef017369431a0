import { DurableObject } from "cloudflare:workers";
import { type ActorRouter, createActorRouter, createClientWithDriver, type RegistryConfig } from "rivetkit";
import { getInitialActorKvState, type ManagerDriver } from "rivetkit/driver-helpers";
import { DurableObjectActorDriver, type InlineClient } from "./actor-driver";
import { createMetadataTable, createOrGetMetadata, readMetadata } from "./actor-metadata";
import {
  ACTOR_ID_HEADER,
  type ActorDurableObjectRpc,
  type ActorSummary,
  type CreateActorRequest,
  type CreateActorResult,
} from "./actor-rpc";
import { createKvTable, kvGet, kvPut } from "./kv-sql";
import { type ActorNamespace, DurableObjectManagerDriver } from "./manager-driver";
import { closedWebSocket, upgradeWebSocket } from "./websocket-upgrade";

export interface ActorDurableObjectOptions {
  /** The parsed registry config, read on first use (after the handler has adjusted the registry). */
  config: () => RegistryConfig;
  /** Name of the Durable Object binding in `env` (the actor-to-actor client needs it). */
  binding: string;
}

// Typed loosely on purpose: the registry-generic client type is too deep for tsc to instantiate here.
const inlineClientFor = createClientWithDriver as unknown as (driver: ManagerDriver) => InlineClient;

/** Returns the Durable Object class that hosts one actor of the registry per object. */
export function createActorDurableObjectClass(options: ActorDurableObjectOptions) {
  return class ActorDurableObject
    extends DurableObject<Record<string, unknown>>
    implements ActorDurableObjectRpc
  {
    readonly #driver: DurableObjectActorDriver;
    readonly #router: ActorRouter;

    constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
      super(ctx, env);
      createKvTable(ctx.storage.sql);
      createMetadataTable(ctx.storage.sql);
      const config = options.config();
      const managerDriver = new DurableObjectManagerDriver({
        namespace: () => env[options.binding] as ActorNamespace,
        // The actor's own client looks up other actors in the scope the actor was created in.
        scope: () => readMetadata(ctx.storage.sql)?.scope ?? "",
      });
      this.#driver = new DurableObjectActorDriver(ctx, config, inlineClientFor(managerDriver));
      this.#router = createActorRouter(config, this.#driver, () => upgradeWebSocket, config.test.enabled);
    }

    async create(request: CreateActorRequest): Promise<CreateActorResult> {
      await this.#driver.settled();
      const sql = this.ctx.storage.sql;
      const outcome = createOrGetMetadata(sql, { ...request, now: Date.now() });
      if (outcome.kind === "duplicate") return { duplicate: true };
      if (outcome.kind === "created") kvPut(sql, getInitialActorKvState(request.input));
      const actor = this.#describe();
      if (!actor) throw new Error("actor vanished while being created");
      // Start it now so onCreate/onWake run before the caller's first request, as on other drivers.
      await this.#driver.loadActor(actor.actorId);
      return { actor, created: outcome.kind === "created" };
    }

    async describe(): Promise<ActorSummary | null> {
      return this.#describe() ?? null;
    }

    #describe(): ActorSummary | undefined {
      const actorId = this.#driver.currentActorId();
      const metadata = readMetadata(this.ctx.storage.sql);
      if (!actorId || !metadata) return undefined;
      return { actorId, name: metadata.name, key: metadata.key };
    }

    async managerKvGet(actorId: string, key: Uint8Array): Promise<Uint8Array | null> {
      if (this.#driver.currentActorId() !== actorId) return null;
      return kvGet(this.ctx.storage.sql, [key])[0] ?? null;
    }

    override async fetch(request: Request): Promise<Response> {
      // The id the manager resolved, not "whatever lives here now": a stale id (from before a destroy and
      // re-create) must fail with actor/not_found, which loadActor raises inside the router's error handling.
      const actorId = request.headers.get(ACTOR_ID_HEADER) ?? this.#driver.currentActorId() ?? "none";
      if (request.headers.get("Upgrade")?.toLowerCase() === "websocket" && !this.#driver.canLoad(actorId)) {
        return closedWebSocket(request, "actor.not_found");
      }
      return this.#router.fetch(request, { actorId });
    }

    override async alarm(): Promise<void> {
      const actorId = this.#driver.currentActorId();
      if (!actorId) return;
      const actor = await this.#driver.loadActor(actorId);
      await actor.onAlarm();
    }
  };
}
