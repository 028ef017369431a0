import { createResources, forgetMissing, startAll } from "./bring-up";
import { covers, hasMachines, idleAlarmAt, planEnsure, shouldIdleSuspend, upRoles } from "./lifecycle";
import { connectionSecrets, registerGatewayKey } from "./stack-credentials";
import type { StackDeps } from "./stack-deps";
import { failureReason } from "./stack-failure";
import {
  type EnsureOptions,
  STACK_ROLES,
  type StackConnection,
  type StackRole,
  type StackView,
} from "./stack-record";
import { StackState } from "./stack-state";
import { destroyStack, suspendStack } from "./teardown";

/**
 * Carries out the lifecycle decisions (lifecycle.ts) for one user's stack. Every change runs through one queue,
 * and concurrent ensureStack calls share one in-flight bring-up, so a hundred concurrent wakes make one set of
 * machines. Only resources recorded here or named with this user's prefix (and tagged with this user id) are
 * ever touched. The record and its events live in StackState; the steps in bring-up.ts and teardown.ts.
 */
export class StackController {
  private readonly state: StackState;
  private queue: Promise<unknown> = Promise.resolve();
  private inflight: Promise<StackView> | undefined;

  constructor(private readonly deps: StackDeps) {
    this.state = new StackState(deps, deps.now ?? Date.now);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  view(after = 0): Promise<StackView> {
    return this.state.view(after);
  }

  /**
   * The roles asked for (default all) up: answered from memory, no Fly call. Otherwise the one in-flight
   * bring-up, shared by every caller (joined, then once more if it brought up fewer roles than asked); or, with
   * `startAllowed: false`, the stack as it is with all its events (the caller decides whether to start it).
   */
  async ensure(options: EnsureOptions = {}): Promise<StackView> {
    const roles = options.roles ?? STACK_ROLES;
    for (let round = 0; round < 2; round++) {
      const record = await this.state.load();
      if (covers(record, roles)) {
        await this.state.touch(record);
        return this.view();
      }
      if (options.startAllowed === false) return this.view();
      if (round > 0 && record.status !== "ready") break;
      this.inflight ??= this.exclusive(() => this.bringUp(roles)).finally(() => {
        this.inflight = undefined;
      });
      await this.inflight;
    }
    return this.view();
  }

  private async bringUp(roles: readonly StackRole[]): Promise<StackView> {
    const { state, deps } = this;
    const plan = planEnsure(await state.load(), state.now(), deps.lifecycle, roles);
    if (plan.kind === "answer" || plan.kind === "give_up") return this.view();
    try {
      await registerGatewayKey(deps, state);
      if (plan.kind !== "create") await forgetMissing(deps, state, roles);
      if (!hasMachines(await state.load(), roles)) await createResources(deps, state, roles);
      await startAll(deps, state, plan.kind === "restart", roles);
    } catch (error) {
      const reason = failureReason(error);
      // The reason is for users; the error (name and message only, never a stack of secrets) is for operators.
      deps.log.warn("stack failed", { reason, error });
      await state.fail(reason);
    }
    return this.view();
  }

  /**
   * Internal callers only (service binding): where the machines are and how to authenticate to them. A caller
   * about to use a ready stack is activity: it keeps the stack from the idle suspend like a warm ensureStack.
   */
  async connection(): Promise<StackConnection> {
    const record = await this.state.load();
    if (record.status === "ready") await this.state.touch(record);
    // Read only: the secrets are made by a bring-up (inside the queue), never here.
    const sealed = record.secrets;
    return {
      status: record.status,
      up: upRoles(record),
      edgeUrl: this.deps.edgeUrl,
      opencodeMachineId: record.resources.opencode?.machineId,
      giteaMachineId: record.resources.gitea?.machineId,
      ...(sealed ? await connectionSecrets(this.deps, sealed) : {}),
    };
  }

  suspend(): Promise<StackView> {
    return this.exclusive(() => this.suspendNow());
  }

  private async suspendNow(): Promise<StackView> {
    await suspendStack(this.deps, this.state);
    return this.view();
  }

  /** Revokes the gateway credential, deletes the machines and volumes, forgets the stack (teardown.ts). */
  destroy(): Promise<StackView> {
    return this.exclusive(async () => {
      await destroyStack(this.deps, this.state);
      return this.view();
    });
  }

  /** The idle alarm: suspend a stack nobody has asked for within the idle time, else look again later. */
  alarm(): Promise<void> {
    return this.exclusive(async () => {
      const record = await this.state.load();
      if (shouldIdleSuspend(record, this.state.now(), this.deps.lifecycle)) {
        await this.suspendNow();
        return;
      }
      await this.deps.setAlarm(idleAlarmAt(record, this.deps.lifecycle));
    });
  }
}
