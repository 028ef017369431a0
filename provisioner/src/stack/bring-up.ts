import { isFlyError } from "../fly/fly-errors";
import { assertEdgeReachable } from "./edge-check";
import { idleAlarmAt, resourcePrefix, upRoles } from "./lifecycle";
import { findOrCreateMachine, findOrCreateVolume, startMachine, waitHealthy } from "./machine-ops";
import {
  healthTargets,
  machineIds,
  pendingMachines,
  pendingVolumes,
  withoutResource,
  withResource,
} from "./resource-plan";
import { stackSecrets } from "./stack-credentials";
import type { StackDeps } from "./stack-deps";
import type { StackRecord, StackRole } from "./stack-record";
import type { StackState } from "./stack-state";

/**
 * The steps of a bring-up, in the order StackController runs them (inside its queue): forget what Fly no longer
 * has, create what is missing, then start the machines of the roles asked for and wait until they answer healthy.
 * Each step is safe to repeat after an interruption.
 */

/**
 * A machine or volume deleted behind our back (a lost host, an operator) leaves the record, so the bring-up
 * makes it again instead of failing on it forever. A volume that is gone takes its machine with it: the machine
 * would mount nothing. Only roles being brought up are looked at; two GETs each, on a wake only.
 */
export async function forgetMissing(
  deps: Pick<StackDeps, "fly">,
  state: StackState,
  roles: readonly StackRole[],
): Promise<void> {
  const exists = async (lookup: () => Promise<{ state?: string }>) => {
    try {
      return (await lookup()).state !== "destroyed";
    } catch (error) {
      if (isFlyError(error, "not_found")) return false;
      throw error;
    }
  };
  for (const role of roles) {
    const record = await state.load();
    const { machineId, volumeId } = record.resources[role] ?? {};
    let next: StackRecord = record;
    const volumeGone =
      volumeId !== undefined && !(await exists(() => deps.fly.volumes.get(record.app, volumeId)));
    if (volumeGone) next = withoutResource(next, role, "volumeId");
    if (machineId !== undefined) {
      const machineGone = !(await exists(() => deps.fly.machines.get(record.app, machineId)));
      if (volumeGone && !machineGone) await deps.fly.machines.delete(record.app, machineId).catch(() => {});
      if (volumeGone || machineGone) {
        next = withoutResource(next, role, "machineId");
        next = { ...next, up: (next.up ?? []).filter((up) => up !== role) };
      }
    }
    if (next !== record) await state.save(next, { mirror: false });
  }
}

/** Volumes first, then machines (of `roles`), each recorded as it is made so an interrupted create resumes. */
export async function createResources(
  deps: StackDeps,
  state: StackState,
  roles: readonly StackRole[],
): Promise<void> {
  const { fly, runtime, userId } = deps;
  await state.move("creating", "stack.creating", { roles: roles.join(",") });
  const secrets = await stackSecrets(deps, state);
  const prefix = await resourcePrefix(userId);
  for (const role of pendingVolumes(await state.load(), roles)) {
    const volumeId = await findOrCreateVolume(fly, runtime, prefix, role);
    await state.save(withResource(await state.load(), role, { volumeId }), { mirror: false });
  }
  for (const [role, volumeId] of pendingMachines(await state.load(), roles)) {
    const machineId = await findOrCreateMachine(fly, runtime, { userId, prefix }, role, volumeId, secrets);
    await state.save(withResource(await state.load(), role, { machineId }), { mirror: false });
  }
}

/** Starts the machines of `roles` that are not started (stopping them first when restarting), then waits for health. */
export async function startAll(
  deps: StackDeps,
  state: StackState,
  restart: boolean,
  roles: readonly StackRole[],
): Promise<void> {
  const { fly } = deps;
  const record = await state.load();
  // Roles already up in a ready stack stay up while the others start.
  const alreadyUp = record.status === "ready" ? upRoles(record) : (record.up ?? []);
  await state.move("starting", "stack.starting", { restart, roles: roles.join(",") });
  // Without it every health probe would time out after minutes; this names the cause (no IP) at once.
  const [, pin] = machineIds(record, roles)[0] ?? [];
  await assertEdgeReachable(deps.edgeUrl, deps.runtime.app, pin, deps.fetch);
  await Promise.all(
    machineIds(record, roles).map(([role, id]) =>
      startMachine(fly, record.app, record.userId, role, id, restart),
    ),
  );
  await waitForHealth(deps, state, record, roles);
  await state.publish("stack.health_ok");
  const up = [...new Set([...alreadyUp, ...roles])];
  await state.save({ ...(await state.load()), up }, { mirror: false });
  await state.move("ready", "stack.ready", { roles: up.join(",") });
  state.activityPersistedAt = state.now();
  await deps.setAlarm(idleAlarmAt(await state.load(), deps.lifecycle));
}

async function waitForHealth(
  deps: StackDeps,
  state: StackState,
  record: StackRecord,
  roles: readonly StackRole[],
): Promise<void> {
  const { opencodePassword } = await stackSecrets(deps, state);
  await waitHealthy(deps.edgeUrl, healthTargets(record, opencodePassword, roles), {
    timeoutMs: deps.healthTimeoutMs,
    intervalMs: deps.healthIntervalMs ?? 250,
    now: state.now,
    fetch: deps.fetch,
  });
}
