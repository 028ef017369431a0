import type { Logger } from "../../../platform/logger";
import type { FlyClient } from "../fly/fly-client";
import { isFlyError } from "../fly/fly-errors";
import { generateGatewayKey, hashGatewayKey } from "./gateway-key";
import type { GatewayKeyStore } from "./gateway-key-store";
import {
  idleAlarmAt,
  type LifecycleConfig,
  markFailed,
  planEnsure,
  resourcePrefix,
  shouldIdleSuspend,
  shouldPersistActivity,
  transition,
} from "./lifecycle";
import {
  findOrCreateMachine,
  findOrCreateVolume,
  StackFailure,
  startMachine,
  suspendMachine,
  waitHealthy,
} from "./machine-ops";
import type { RoleSecrets, RuntimeConfig } from "./machine-spec";
import { decryptSecret, encryptSecret, generateSecret } from "./secrets";
import {
  type EnsureOptions,
  emptyRecord,
  STACK_ROLES,
  type StackConnection,
  type StackEvent,
  type StackRecord,
  type StackRole,
  type StackStatus,
  type StackView,
} from "./stack-record";

/** Async key-value storage: Durable Object storage in production, a Map in unit tests. */
export interface StackStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  deleteAll(): Promise<void>;
}

export interface StackDeps {
  userId: string;
  storage: StackStorage;
  fly: FlyClient;
  runtime: RuntimeConfig;
  lifecycle: LifecycleConfig;
  edgeUrl: string;
  secretsKey: CryptoKey;
  /** Hashes of the stack's model-gateway credential, where the gateway finds them; failures are fatal. */
  gatewayKeys: GatewayKeyStore;
  /** Mirrors the record into Postgres `user_stacks`; failures are logged, never fatal. */
  mirror(record: StackRecord): Promise<void>;
  setAlarm(at: number | undefined): Promise<void>;
  /** Called with each progress event as it happens (logs; later a broadcast to the Grow Agent). */
  onEvent?(event: StackEvent): void;
  healthTimeoutMs: number;
  healthIntervalMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  log: Logger;
}

const MAX_EVENTS = 50;

/**
 * Carries out the lifecycle decisions for one user's stack. Every change runs through one queue, and
 * concurrent ensureStack calls share one in-flight bring-up, so a hundred concurrent wakes make one set of
 * machines. Only resources recorded here or named with this user's prefix (and tagged with this user id) are
 * ever touched.
 */
export class StackController {
  private record: StackRecord | undefined;
  private events: StackEvent[] = [];
  private lastSeq = 0;
  private activityPersistedAt = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private inflight: Promise<StackView> | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: StackDeps) {
    this.now = deps.now ?? Date.now;
  }

  private async load(): Promise<StackRecord> {
    if (!this.record) {
      const { storage, userId, runtime } = this.deps;
      this.record =
        (await storage.get<StackRecord>("record")) ??
        emptyRecord(userId, runtime.app, runtime.region, this.now());
      this.events = (await storage.get<StackEvent[]>("events")) ?? [];
      this.lastSeq = this.events.at(-1)?.seq ?? 0;
      this.activityPersistedAt = this.record.lastActiveAt;
    }
    return this.record;
  }

  /**
   * Record and event change together, with no await in between: a reader interleaving between Fly calls never
   * sees a status without the event that announced it.
   */
  private async save(
    record: StackRecord,
    options: { mirror?: boolean; event?: [StackEvent["type"], StackEvent["data"]?] } = {},
  ): Promise<void> {
    this.record = record;
    const event = options.event ? this.addEvent(...options.event) : undefined;
    await this.deps.storage.put("record", record);
    if (event) await this.deps.storage.put("events", this.events);
    if (options.mirror !== false) {
      await this.deps
        .mirror(record)
        .catch((error: unknown) => this.deps.log.warn("user_stacks mirror failed", { error }));
    }
  }

  private addEvent(type: StackEvent["type"], data: StackEvent["data"] = {}): StackEvent {
    const event: StackEvent = { seq: ++this.lastSeq, type, at: new Date(this.now()).toISOString(), data };
    this.events = [...this.events, event].slice(-MAX_EVENTS);
    this.deps.log.info("stack event", { type, ...data });
    this.deps.onEvent?.(event);
    return event;
  }

  /** An event without a status change. */
  private async publish(type: StackEvent["type"], data: StackEvent["data"] = {}): Promise<void> {
    this.addEvent(type, data);
    await this.deps.storage.put("events", this.events);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  async view(after = 0): Promise<StackView> {
    const record = await this.load();
    const machines: StackView["machines"] = {};
    for (const role of STACK_ROLES) {
      const resources = record.resources[role];
      if (resources) machines[role] = { ...resources };
    }
    return {
      status: record.status,
      app: record.app,
      region: record.region,
      machines,
      edgeUrl: this.deps.edgeUrl,
      lastError: record.lastError ?? null,
      lastActiveAt: new Date(record.lastActiveAt).toISOString(),
      updatedAt: new Date(record.updatedAt).toISOString(),
      events: this.events.filter((event) => event.seq > after),
      lastSeq: this.lastSeq,
    };
  }

  /**
   * Ready: answered from memory, no Fly call. Otherwise the one in-flight bring-up, shared by every caller; or,
   * with `startAllowed: false`, the stack as it is with all its events (the caller decides whether to start it).
   */
  async ensure(options: EnsureOptions = {}): Promise<StackView> {
    const record = await this.load();
    if (record.status === "ready") {
      const now = this.now();
      record.lastActiveAt = now;
      if (shouldPersistActivity(this.activityPersistedAt, now)) {
        this.activityPersistedAt = now;
        await this.deps.storage.put("record", record);
      }
      return this.view();
    }
    if (options.startAllowed === false) return this.view();
    this.inflight ??= this.exclusive(() => this.bringUp()).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async bringUp(): Promise<StackView> {
    const record = await this.load();
    const plan = planEnsure(record, this.now(), this.deps.lifecycle);
    if (plan.kind === "answer" || plan.kind === "give_up") return this.view();
    try {
      await this.registerGatewayKey();
      if (plan.kind === "create") await this.createResources();
      await this.startAll(plan.kind === "restart");
    } catch (error) {
      const reason = failureReason(error);
      // The reason is for users; the error (name and message only, never a stack of secrets) is for operators.
      this.deps.log.warn("stack failed", { reason, error });
      await this.save(markFailed(await this.load(), reason, this.now()), {
        event: ["stack.failed", { reason }],
      });
    }
    return this.view();
  }

  private async move(to: StackStatus, type: StackEvent["type"], data: StackEvent["data"] = {}) {
    await this.save(transition(await this.load(), to, this.now()), { event: [type, data] });
  }

  private async createResources(): Promise<void> {
    const { fly, runtime, userId } = this.deps;
    await this.move("creating", "stack.creating");
    const secrets = await this.secrets();
    const prefix = await resourcePrefix(userId);
    for (const role of STACK_ROLES) {
      if ((await this.load()).resources[role]?.volumeId) continue;
      await this.setResource(role, { volumeId: await findOrCreateVolume(fly, runtime, prefix, role) });
    }
    for (const role of STACK_ROLES) {
      const resources = (await this.load()).resources[role];
      if (resources?.machineId || !resources?.volumeId) continue;
      const machineId = await findOrCreateMachine(
        fly,
        runtime,
        { userId, prefix },
        role,
        resources.volumeId,
        secrets,
      );
      await this.setResource(role, { machineId });
    }
  }

  private async setResource(role: StackRole, resources: { volumeId?: string; machineId?: string }) {
    const record = await this.load();
    await this.save(
      { ...record, resources: { ...record.resources, [role]: { ...record.resources[role], ...resources } } },
      { mirror: false },
    );
  }

  private machineIds(record: StackRecord): Array<[StackRole, string]> {
    return STACK_ROLES.flatMap((role) => {
      const id = record.resources[role]?.machineId;
      return id ? [[role, id] as [StackRole, string]] : [];
    });
  }

  /** Starts every machine that is not started (stopping it first when restarting), then waits for health. */
  private async startAll(restart: boolean): Promise<void> {
    const { fly } = this.deps;
    const record = await this.load();
    await this.move("starting", "stack.starting", { restart });
    await Promise.all(
      this.machineIds(record).map(([role, id]) =>
        startMachine(fly, record.app, record.userId, role, id, restart),
      ),
    );
    await this.waitHealthy(record);
    await this.publish("stack.health_ok");
    await this.move("ready", "stack.ready");
    this.activityPersistedAt = this.now();
    await this.deps.setAlarm(idleAlarmAt(await this.load(), this.deps.lifecycle));
  }

  private async waitHealthy(record: StackRecord): Promise<void> {
    const { opencodePassword } = await this.secrets();
    const targets = this.machineIds(record).map(([role, machineId]) => ({
      role,
      machineId,
      password: role === "opencode" ? opencodePassword : undefined,
    }));
    await waitHealthy(this.deps.edgeUrl, targets, {
      timeoutMs: this.deps.healthTimeoutMs,
      intervalMs: this.deps.healthIntervalMs ?? 250,
      now: this.now,
      fetch: this.deps.fetch,
    });
  }

  /**
   * Makes sure the gateway knows the credential the machines hold before any of them starts, on every bring-up:
   * a destroy that revoked it and then failed at Fly leaves the machines (and the sealed credential) behind, and
   * without this they would come up again holding a credential the gateway refuses. A new credential is
   * registered as it is made; a kept one is registered again (an idempotent upsert of the same hash).
   */
  private async registerGatewayKey(): Promise<void> {
    const kept = (await this.load()).secrets?.gatewayKey !== undefined;
    const { gatewayKey } = await this.secrets();
    if (kept) await this.deps.gatewayKeys.register(await hashGatewayKey(gatewayKey)).catch(unregistered);
  }

  /**
   * The stack's secrets, made on first use. A new stack (first create, or after destroy) gets a new gateway
   * credential, so recreating a stack rotates it; it is registered with the gateway before it is sealed here,
   * so no machine ever gets a credential the gateway does not know. Records from before the gateway get one too.
   */
  private async secrets(): Promise<RoleSecrets> {
    const { secretsKey, userId } = this.deps;
    const record = await this.load();
    if (!record.secrets?.gatewayKey) {
      const gatewayKey = generateGatewayKey();
      await this.deps.gatewayKeys.register(await hashGatewayKey(gatewayKey)).catch(unregistered);
      const sealed = {
        opencodePassword:
          record.secrets?.opencodePassword ?? (await encryptSecret(secretsKey, userId, generateSecret())),
        giteaAdminToken:
          record.secrets?.giteaAdminToken ?? (await encryptSecret(secretsKey, userId, generateSecret())),
        gatewayKey: await encryptSecret(secretsKey, userId, gatewayKey),
      };
      await this.save({ ...(await this.load()), secrets: sealed }, { mirror: false });
      return this.secrets();
    }
    return {
      opencodePassword: await decryptSecret(secretsKey, userId, record.secrets.opencodePassword),
      giteaAdminToken: await decryptSecret(secretsKey, userId, record.secrets.giteaAdminToken),
      gatewayKey: await decryptSecret(secretsKey, userId, record.secrets.gatewayKey),
    };
  }

  /** Internal callers only (service binding): where the machines are and how to authenticate to them. */
  async connection(): Promise<StackConnection> {
    const { secretsKey, userId } = this.deps;
    const record = await this.load();
    // Read only: the secrets are made by a bring-up (inside the queue), never here.
    const sealed = record.secrets;
    return {
      status: record.status,
      edgeUrl: this.deps.edgeUrl,
      opencodeMachineId: record.resources.opencode?.machineId,
      giteaMachineId: record.resources.gitea?.machineId,
      ...(sealed
        ? {
            opencodePassword: await decryptSecret(secretsKey, userId, sealed.opencodePassword),
            giteaAdminToken: await decryptSecret(secretsKey, userId, sealed.giteaAdminToken),
          }
        : {}),
    };
  }

  suspend(): Promise<StackView> {
    return this.exclusive(() => this.suspendNow());
  }

  private async suspendNow(): Promise<StackView> {
    const { fly } = this.deps;
    const record = await this.load();
    if (record.status !== "ready") return this.view();
    await this.move("suspending", "stack.suspending");
    try {
      await Promise.all(
        this.machineIds(record).map(([role, id]) => suspendMachine(fly, record.app, role, id)),
      );
      await this.move("suspended", "stack.suspended");
      await this.deps.setAlarm(undefined);
    } catch (error) {
      const reason = `suspend failed: ${failureReason(error)}`;
      await this.save(markFailed(await this.load(), reason, this.now()), {
        event: ["stack.failed", { reason }],
      });
    }
    return this.view();
  }

  /**
   * Revokes the stack's gateway credential, deletes the machines and volumes (the user's data with them) and
   * forgets the stack. Revoking comes first: a destroy that fails half-way leaves no usable credential behind.
   * Such a destroy throws and leaves the stack `failed`, its record holding only what is left at Fly: it no longer
   * answers as ready with machines the gateway now refuses, and the next bring-up (which registers the kept
   * credential again) recreates what is gone; a retried destroy deletes the rest.
   */
  destroy(): Promise<StackView> {
    return this.exclusive(async () => {
      const { fly } = this.deps;
      const record = await this.load();
      await this.deps.gatewayKeys.revoke();
      const ignoreMissing = (error: unknown) => {
        if (!isFlyError(error, "not_found")) throw error;
      };
      try {
        for (const [role, id] of this.machineIds(record)) {
          await fly.machines.delete(record.app, id).catch(ignoreMissing);
          await this.forgetResource(role, "machineId");
        }
        for (const role of STACK_ROLES) {
          const volumeId = record.resources[role]?.volumeId;
          if (!volumeId) continue;
          await fly.volumes.delete(record.app, volumeId).catch(ignoreMissing);
          await this.forgetResource(role, "volumeId");
        }
      } catch (error) {
        const reason = `destroy failed: ${failureReason(error)}`;
        this.deps.log.warn("stack destroy failed", { reason, error });
        await this.save(markFailed(await this.load(), reason, this.now()), {
          event: ["stack.failed", { reason }],
        });
        throw error;
      }
      await this.deps.storage.deleteAll();
      await this.deps.setAlarm(undefined);
      const fresh = emptyRecord(record.userId, record.app, record.region, this.now());
      this.record = fresh;
      this.events = [];
      await this.deps
        .mirror(fresh)
        .catch((error: unknown) => this.deps.log.warn("user_stacks mirror failed", { error }));
      await this.publish("stack.destroyed");
      return this.view();
    });
  }

  /** A resource deleted at Fly leaves the record, so a bring-up after a failed destroy makes it again. */
  private async forgetResource(role: StackRole, kind: "machineId" | "volumeId"): Promise<void> {
    const record = await this.load();
    const { [kind]: _, ...rest } = record.resources[role] ?? {};
    await this.save({ ...record, resources: { ...record.resources, [role]: rest } }, { mirror: false });
  }

  /** The idle alarm: suspend a stack nobody has asked for within the idle time, else look again later. */
  alarm(): Promise<void> {
    return this.exclusive(async () => {
      const record = await this.load();
      if (shouldIdleSuspend(record, this.now(), this.deps.lifecycle)) {
        await this.suspendNow();
        return;
      }
      await this.deps.setAlarm(idleAlarmAt(record, this.deps.lifecycle));
    });
  }
}

/** The gateway's store (Postgres) failed: said so to the user, not as an internal error. */
function unregistered(error: unknown): never {
  throw new StackFailure("the sandbox's model credential could not be registered; try again shortly", {
    cause: error,
  });
}

/** A reason fit for the UI and the `user_stacks.last_error` column: no secrets, no stack traces. */
export function failureReason(error: unknown): string {
  if (error instanceof StackFailure) return error.message;
  if (isFlyError(error)) return error.message;
  return "internal error while provisioning";
}
