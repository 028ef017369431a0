import { type AnyActorInstance, lookupInRegistry, type RegistryConfig } from "rivetkit";
import type { ActorDriver } from "rivetkit/driver-helpers";
import { ActorNotFound } from "rivetkit/errors";
import { parseActorId } from "./actor-id";
import { markDestroyed, readMetadata } from "./actor-metadata";
import {
  type KvEntry,
  kvDelete,
  kvDeleteAll,
  kvDeleteRange,
  kvGet,
  kvListPrefix,
  kvListRange,
  kvPut,
  type ListOptions,
} from "./kv-sql";

export type InlineClient = Parameters<AnyActorInstance["start"]>[1];

/** What `createVars(c, driverCtx)` receives on this driver. */
export interface DurableObjectDriverContext {
  state: DurableObjectState;
}

/**
 * The ActorDriver of ONE Durable Object. Each object hosts exactly one actor, so every method works on
 * this object's storage; the actor id still matters for `loadActor`, which refuses ids of another object
 * or of an older generation (the upstream driver served stale ids from before a destroy).
 *
 * Not implemented, on purpose: `startSleep` (Cloudflare evicts idle objects itself; RivetKit's `onSleep`
 * never runs), `cancelAlarm` (the single DO alarm must survive eviction), database VFS hooks.
 */
export class DurableObjectActorDriver implements ActorDriver {
  readonly #ctx: DurableObjectState;
  readonly #config: RegistryConfig;
  readonly #inlineClient: InlineClient;
  #loaded: { actorId: string; instance: Promise<AnyActorInstance> } | undefined;
  #destroying: { actorId: string; done: Promise<void> } | undefined;

  constructor(ctx: DurableObjectState, config: RegistryConfig, inlineClient: InlineClient) {
    this.#ctx = ctx;
    this.#config = config;
    this.#inlineClient = inlineClient;
  }

  get #sql() {
    return this.#ctx.storage.sql;
  }

  /** The id of the live actor here, if any: answers `getForId`/`getWithKey` and routes alarms. */
  currentActorId(): string | undefined {
    const metadata = readMetadata(this.#sql);
    if (!metadata || metadata.destroyed) return undefined;
    const actorId = `${this.#ctx.id.toString()}:${metadata.generation}`;
    return this.#destroying?.actorId === actorId ? undefined : actorId;
  }

  /** Whether `loadActor(actorId)` would find an actor (without starting it). */
  canLoad(actorId: string): boolean {
    return this.#loaded?.actorId === actorId || this.currentActorId() === actorId;
  }

  /** Resolves once a destroy in progress has cleared the storage (create waits for it). */
  async settled(): Promise<void> {
    await this.#destroying?.done;
  }

  loadActor(actorId: string): Promise<AnyActorInstance> {
    if (this.#loaded?.actorId === actorId) return this.#loaded.instance;
    const parsed = parseActorId(actorId);
    if (!parsed || parsed.doId !== this.#ctx.id.toString() || this.currentActorId() !== actorId) {
      return Promise.reject(new ActorNotFound(actorId));
    }
    // Concurrent first requests share one start; a failed start is forgotten so the next request retries.
    const instance = this.#start(actorId);
    this.#loaded = { actorId, instance };
    instance.catch(() => {
      if (this.#loaded?.instance === instance) this.#loaded = undefined;
    });
    return instance;
  }

  async #start(actorId: string): Promise<AnyActorInstance> {
    const metadata = readMetadata(this.#sql);
    if (!metadata) throw new ActorNotFound(actorId);
    const instance = lookupInRegistry(this.#config, metadata.name).instantiate();
    // Region: Cloudflare does not tell an object where it runs.
    await instance.start(this, this.#inlineClient, actorId, metadata.name, metadata.key, "unknown");
    return instance;
  }

  getContext(_actorId: string): DurableObjectDriverContext {
    return { state: this.#ctx };
  }

  async kvBatchPut(_actorId: string, entries: KvEntry[]): Promise<void> {
    kvPut(this.#sql, entries);
  }

  async kvBatchGet(_actorId: string, keys: Uint8Array[]): Promise<(Uint8Array | null)[]> {
    return kvGet(this.#sql, keys);
  }

  async kvBatchDelete(_actorId: string, keys: Uint8Array[]): Promise<void> {
    kvDelete(this.#sql, keys);
  }

  async kvDeleteRange(_actorId: string, start: Uint8Array, end: Uint8Array): Promise<void> {
    kvDeleteRange(this.#sql, start, end);
  }

  async kvListPrefix(_actorId: string, prefix: Uint8Array, options?: ListOptions): Promise<KvEntry[]> {
    return kvListPrefix(this.#sql, prefix, options);
  }

  async kvListRange(
    _actorId: string,
    start: Uint8Array,
    end: Uint8Array,
    options?: ListOptions,
  ): Promise<KvEntry[]> {
    return kvListRange(this.#sql, start, end, options);
  }

  /** One alarm per object; RivetKit multiplexes its schedule onto it and serialises these calls. */
  async setAlarm(_actor: AnyActorInstance, timestamp: number): Promise<void> {
    await this.#ctx.storage.setAlarm(timestamp);
  }

  startDestroy(actorId: string): void {
    const loaded = this.#loaded;
    if (!loaded || loaded.actorId !== actorId || this.#destroying) return;
    const done = this.#destroy(actorId, loaded.instance);
    this.#destroying = { actorId, done };
    this.#ctx.waitUntil(done);
  }

  async #destroy(actorId: string, instance: Promise<AnyActorInstance>): Promise<void> {
    try {
      await (await instance).onStop("destroy");
    } finally {
      // Whatever onStop did, the actor is gone: the next create starts a new generation from empty storage.
      markDestroyed(this.#sql);
      kvDeleteAll(this.#sql);
      await this.#ctx.storage.deleteAlarm();
      if (this.#loaded?.actorId === actorId) this.#loaded = undefined;
      this.#destroying = undefined;
    }
  }
}
