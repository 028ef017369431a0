import { idleAlarmAt, resourcePrefix } from "./lifecycle";
import { findOrCreateMachine, findOrCreateVolume, startMachine, waitHealthy } from "./machine-ops";
import { healthTargets, machineIds, pendingMachines, pendingVolumes, withResource } from "./resource-plan";
import { stackSecrets } from "./stack-credentials";
import type { StackDeps } from "./stack-deps";
import type { StackRecord } from "./stack-record";
import type { StackState } from "./stack-state";

/**
 * The steps of a bring-up, in the order StackController runs them (inside its queue): create what is missing,
 * then start every machine and wait until all answer healthy. Each step is safe to repeat after an interruption.
 */

/** Volumes first, then machines, each recorded as it is made so an interrupted create resumes where it was. */
export async function createResources(deps: StackDeps, state: StackState): Promise<void> {
  const { fly, runtime, userId } = deps;
  await state.move("creating", "stack.creating");
  const secrets = await stackSecrets(deps, state);
  const prefix = await resourcePrefix(userId);
  for (const role of pendingVolumes(await state.load())) {
    const volumeId = await findOrCreateVolume(fly, runtime, prefix, role);
    await state.save(withResource(await state.load(), role, { volumeId }), { mirror: false });
  }
  for (const [role, volumeId] of pendingMachines(await state.load())) {
    const machineId = await findOrCreateMachine(fly, runtime, { userId, prefix }, role, volumeId, secrets);
    await state.save(withResource(await state.load(), role, { machineId }), { mirror: false });
  }
}

/** Starts every machine that is not started (stopping it first when restarting), then waits for health. */
export async function startAll(deps: StackDeps, state: StackState, restart: boolean): Promise<void> {
  const { fly } = deps;
  const record = await state.load();
  await state.move("starting", "stack.starting", { restart });
  await Promise.all(
    machineIds(record).map(([role, id]) => startMachine(fly, record.app, record.userId, role, id, restart)),
  );
  await waitForHealth(deps, state, record);
  await state.publish("stack.health_ok");
  await state.move("ready", "stack.ready");
  state.activityPersistedAt = state.now();
  await deps.setAlarm(idleAlarmAt(await state.load(), deps.lifecycle));
}

async function waitForHealth(deps: StackDeps, state: StackState, record: StackRecord): Promise<void> {
  const { opencodePassword } = await stackSecrets(deps, state);
  await waitHealthy(deps.edgeUrl, healthTargets(record, opencodePassword), {
    timeoutMs: deps.healthTimeoutMs,
    intervalMs: deps.healthIntervalMs ?? 250,
    now: state.now,
    fetch: deps.fetch,
  });
}
