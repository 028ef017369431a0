import type { FlyClient } from "../fly/fly-client";
import { isFlyError } from "../fly/fly-errors";
import { type HealthTarget, probeHealth } from "./health";
import {
  machineName,
  machineRequest,
  type RoleSecrets,
  type RuntimeConfig,
  volumeName,
  volumeRequest,
} from "./machine-spec";
import { StackFailure } from "./stack-failure";
import type { StackRole } from "./stack-record";

/**
 * The Fly operations on one user's machines, each safe to repeat: the controller decides when, these do what.
 * Every machine is checked against the user id in its metadata before it is touched.
 */

/** Idempotent by name: a create whose answer was lost (or an evicted object) finds its volume again. */
export async function findOrCreateVolume(
  fly: FlyClient,
  runtime: RuntimeConfig,
  prefix: string,
  role: StackRole,
): Promise<string> {
  const existing = (await fly.volumes.list(runtime.app)).find(
    (v) => v.name === volumeName(prefix, role) && v.state !== "destroyed",
  );
  const volume = existing ?? (await fly.volumes.create(runtime.app, volumeRequest(runtime, prefix, role)));
  if (!volume.id) throw new StackFailure("Fly returned a volume without an id");
  return volume.id;
}

export async function findOrCreateMachine(
  fly: FlyClient,
  runtime: RuntimeConfig,
  owner: { userId: string; prefix: string },
  role: StackRole,
  volumeId: string,
  secrets: RoleSecrets,
): Promise<string> {
  const { userId, prefix } = owner;
  const findMine = async () => {
    const existing = (await fly.machines.list(runtime.app)).find((m) => m.name === machineName(prefix, role));
    if (existing && existing.config?.metadata?.growqr_user !== userId)
      throw new StackFailure(`machine name ${existing.name} belongs to another user`);
    return existing;
  };
  const existing = await findMine();
  if (existing?.id) return existing.id;
  // No lease_ttl on create: a lease taken by an attempt whose answer was lost could not be released (its nonce
  // never arrived) and would block the next start until it expired. The DO's queue is the creation lock.
  const created = await fly.machines
    .create(runtime.app, machineRequest(runtime, userId, prefix, role, volumeId, secrets))
    .catch(async (error: unknown) => {
      // A retried create whose first attempt went through meets its own machine under the same name.
      const mine = isFlyError(error, "conflict") ? await findMine() : undefined;
      if (!mine) throw error;
      return mine;
    });
  if (!created.id) throw new StackFailure("Fly returned a machine without an id");
  return created.id;
}

/** Starts the machine unless it is started (stopping it first when restarting), under its lease. */
export async function startMachine(
  fly: FlyClient,
  app: string,
  userId: string,
  role: StackRole,
  id: string,
  restart: boolean,
): Promise<void> {
  const machine = await fly.machines.get(app, id);
  const owner = machine.config?.metadata?.growqr_user;
  if (owner !== undefined && owner !== userId)
    throw new StackFailure(`machine ${id} (${role}) is not this user's`);
  await fly.withLease(app, id, `growqr ${restart ? "restart" : "start"} ${role}`, async (nonce) => {
    if (restart && machine.state === "started") {
      await fly.machines.stop(app, id, nonce);
      await fly.machines.wait(app, id, "stopped", 30, machine.instance_id);
    }
    if (restart || machine.state !== "started") await fly.machines.start(app, id, nonce);
  });
  await fly.machines.wait(app, id, "started", 60);
}

export async function suspendMachine(
  fly: FlyClient,
  app: string,
  role: StackRole,
  id: string,
): Promise<void> {
  // Fly's own autostop may have suspended (or stopped) it already: suspending again would fail the stack.
  const { state } = await fly.machines.get(app, id);
  if (state === "suspended" || state === "stopped") return;
  await fly.withLease(app, id, `growqr suspend ${role}`, (nonce) => fly.machines.suspend(app, id, nonce));
  await fly.machines.wait(app, id, "suspended", 60);
}

/** Probes every target through the edge until all answer healthy, or fails naming the ones that did not. */
export async function waitHealthy(
  edgeUrl: string,
  targets: HealthTarget[],
  options: { timeoutMs: number; intervalMs: number; now: () => number; fetch?: typeof fetch },
): Promise<void> {
  const deadline = options.now() + options.timeoutMs;
  let pending = targets;
  while (pending.length > 0) {
    const healthy = await Promise.all(pending.map((target) => probeHealth(edgeUrl, target, options.fetch)));
    pending = pending.filter((_, i) => !healthy[i]);
    if (pending.length === 0) return;
    if (options.now() >= deadline)
      throw new StackFailure(
        `${pending.map((t) => t.role).join(", ")} did not become healthy within ${Math.round(options.timeoutMs / 1000)} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
