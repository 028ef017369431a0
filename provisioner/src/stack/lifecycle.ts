import { STACK_ROLES, type StackRecord, type StackRole, type StackStatus } from "./stack-record";

/**
 * The lifecycle decisions of a user stack, as pure functions of the record and the clock: what `ensureStack`
 * does, when to retry or give up, and when an idle stack is suspended. The Durable Object only carries them out.
 */

export interface LifecycleConfig {
  /** Suspend a ready stack after this long without an ensureStack. */
  idleSuspendMs: number;
  /** Consecutive failures before ensureStack stops calling Fly until the cool-down has passed. */
  maxFailures: number;
  retryCooldownMs: number;
}

export type EnsurePlan =
  | { kind: "answer" }
  /** Create what is missing (volumes, machines), then start and wait for health. Idempotent. */
  | { kind: "create" }
  /** Machines exist and are suspended or stopped: start them and wait for health. */
  | { kind: "wake" }
  /** A failed stack with its machines: restart them (stop, start) and wait for health. */
  | { kind: "restart" }
  | { kind: "give_up"; reason: string; retryAt: number };

export const hasMachines = (record: StackRecord, roles: readonly StackRole[] = STACK_ROLES) =>
  roles.every((role) => record.resources[role]?.machineId !== undefined);

/**
 * The roles whose machines are up: in `ready` (records from before roles have every role up then), and while
 * another role is being created or started beside them (a sandbox start must not take memory down).
 */
export function upRoles(record: StackRecord): StackRole[] {
  if (record.status === "ready") return record.up ?? [...STACK_ROLES];
  return record.status === "creating" || record.status === "starting" ? (record.up ?? []) : [];
}

/** Are all of `roles` up? */
export const covers = (record: StackRecord, roles: readonly StackRole[]) =>
  roles.every((role) => upRoles(record).includes(role));

export function planEnsure(
  record: StackRecord,
  now: number,
  config: LifecycleConfig,
  roles: readonly StackRole[] = STACK_ROLES,
): EnsurePlan {
  const hasAllMachines = (r: StackRecord) => hasMachines(r, roles);
  switch (record.status) {
    case "ready":
      if (covers(record, roles)) return { kind: "answer" };
      return hasAllMachines(record) ? { kind: "wake" } : { kind: "create" };
    case "none":
      return { kind: "create" };
    // Seen on entry only when a previous attempt was interrupted (the object was evicted mid-flight): resume.
    case "creating":
    case "starting":
      return hasAllMachines(record) ? { kind: "wake" } : { kind: "create" };
    case "suspending":
    case "suspended":
      return hasAllMachines(record) ? { kind: "wake" } : { kind: "create" };
    case "failed": {
      if (record.failures >= config.maxFailures && record.failedAt !== undefined) {
        const retryAt = record.failedAt + config.retryCooldownMs;
        if (now < retryAt) return { kind: "give_up", reason: record.lastError ?? "stack failed", retryAt };
      }
      return hasAllMachines(record) ? { kind: "restart" } : { kind: "create" };
    }
  }
}

const TRANSITIONS: Record<StackStatus, readonly StackStatus[]> = {
  none: ["creating"],
  creating: ["starting", "failed", "creating"],
  starting: ["ready", "failed", "starting", "creating"],
  // A ready stack with only some roles up starts (or first creates) the others.
  ready: ["suspending", "starting", "creating", "failed"],
  suspending: ["suspended", "failed", "starting"],
  suspended: ["starting", "creating", "failed"],
  failed: ["creating", "starting", "failed"],
};

/** Every status change goes through here, so an impossible one is a bug caught at once, not a corrupt record. */
export function transition(record: StackRecord, to: StackStatus, now: number): StackRecord {
  if (!TRANSITIONS[record.status].includes(to))
    throw new Error(`invalid stack transition ${record.status} → ${to}`);
  const next: StackRecord = { ...record, status: to, updatedAt: now };
  // Machines being suspended (or a stack failing) are not up; a stack adding a role keeps the ones it has.
  if (to === "suspending" || to === "suspended") next.up = [];
  if (to === "ready") {
    next.failures = 0;
    next.lastError = undefined;
    next.failedAt = undefined;
    next.lastActiveAt = now;
  }
  return next;
}

export function markFailed(record: StackRecord, reason: string, now: number): StackRecord {
  return {
    ...record,
    status: "failed",
    up: [],
    lastError: reason,
    failures: record.failures + 1,
    failedAt: now,
    updatedAt: now,
  };
}

/** When the idle alarm should next fire for this record, or undefined for no alarm. */
export function idleAlarmAt(record: StackRecord, config: LifecycleConfig): number | undefined {
  return record.status === "ready" ? record.lastActiveAt + config.idleSuspendMs : undefined;
}

export const shouldIdleSuspend = (record: StackRecord, now: number, config: LifecycleConfig): boolean =>
  record.status === "ready" && now >= record.lastActiveAt + config.idleSuspendMs;

/**
 * A warm ensureStack records activity in memory at once but persists it at most this often: the idle alarm
 * needs minutes of precision, and a storage write per call would be most of the warm path's cost.
 */
export const ACTIVITY_PERSIST_INTERVAL_MS = 30_000;
export const shouldPersistActivity = (persistedAt: number, now: number) =>
  now - persistedAt >= ACTIVITY_PERSIST_INTERVAL_MS;

/** Fly names: machines and volumes of one user share a short, stable, non-reversible prefix. */
export async function resourcePrefix(userId: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(userId)));
  return Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}
