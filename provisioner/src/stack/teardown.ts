import { isFlyError } from "../fly/fly-errors";
import { upRoles } from "./lifecycle";
import { suspendMachine } from "./machine-ops";
import { machineIds, teardownSteps, withoutResource } from "./resource-plan";
import type { StackDeps } from "./stack-deps";
import { failureReason } from "./stack-failure";
import { emptyRecord } from "./stack-record";
import type { StackState } from "./stack-state";

/** The steps that take a stack down (inside StackController's queue): suspend its machines, or destroy it. */

/** Suspends a ready stack's machines; anything else is left as it is. A failure leaves the stack `failed`. */
export async function suspendStack(
  deps: Pick<StackDeps, "fly" | "setAlarm">,
  state: StackState,
): Promise<void> {
  const { fly } = deps;
  const record = await state.load();
  if (record.status !== "ready") return;
  // Only the machines that are up: after a memory-only wake the sandbox was never started (nothing to suspend).
  const up = upRoles(record);
  await state.move("suspending", "stack.suspending");
  try {
    await Promise.all(machineIds(record, up).map(([role, id]) => suspendMachine(fly, record.app, role, id)));
    await state.move("suspended", "stack.suspended");
    await deps.setAlarm(undefined);
  } catch (error) {
    await state.fail(`suspend failed: ${failureReason(error)}`);
  }
}

/**
 * Revokes the stack's gateway credential, deletes the machines and volumes (the user's data with them) and
 * forgets the stack. Revoking comes first: a destroy that fails half-way leaves no usable credential behind.
 * Such a destroy throws and leaves the stack `failed`, its record holding only what is left at Fly: it no longer
 * answers as ready with machines the gateway now refuses, and the next bring-up (which registers the kept
 * credential again) recreates what is gone; a retried destroy deletes the rest.
 */
export async function destroyStack(
  deps: Pick<StackDeps, "fly" | "gatewayKeys" | "storage" | "setAlarm" | "log">,
  state: StackState,
): Promise<void> {
  const { fly } = deps;
  const record = await state.load();
  await deps.gatewayKeys.revoke();
  const ignoreMissing = (error: unknown) => {
    if (!isFlyError(error, "not_found")) throw error;
  };
  try {
    for (const { role, kind, id } of teardownSteps(record)) {
      if (kind === "machineId") await fly.machines.delete(record.app, id).catch(ignoreMissing);
      else await fly.volumes.delete(record.app, id).catch(ignoreMissing);
      // A resource deleted at Fly leaves the record, so a bring-up after a failed destroy makes it again.
      await state.save(withoutResource(await state.load(), role, kind), { mirror: false });
    }
  } catch (error) {
    const reason = `destroy failed: ${failureReason(error)}`;
    deps.log.warn("stack destroy failed", { reason, error });
    await state.fail(reason);
    throw error;
  }
  await deps.storage.deleteAll();
  await deps.setAlarm(undefined);
  await state.reset(emptyRecord(record.userId, record.app, record.region, state.now()));
  await state.publish("stack.destroyed");
}
