import { ApiError } from "../../../platform/api-error";
import { STACK_ROLES, type StackRole, type StackView } from "../../../provisioner/src/stack/stack-record";
import { AllowanceExceededError, type Entitlements, UPGRADE_PATH } from "../billing/entitlements";
import { planOf } from "../billing/plans";
import { decideWake, statusFor } from "./wake-policy";

/** 429 `too_many_stack_starts`: the plan's bring-ups per hour are used; `Retry-After` says when one fits again. */
export class TooManyStackStartsError extends ApiError {
  override readonly name = "TooManyStackStartsError";

  constructor(
    readonly entitlements: Entitlements,
    readonly retryAfterSeconds: number,
    readonly startsInWindow: number,
  ) {
    const perHour = planOf(entitlements.plan).stackStartsPerHour;
    super(
      "too_many_stack_starts",
      `The ${entitlements.planName} plan allows ${perHour} stack starts an hour; retry in ${retryAfterSeconds} seconds or upgrade at ${UPGRADE_PATH}`,
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
}

export interface StackStartGate {
  /**
   * The provisioner's `ensureStack`: with `startAllowed: false` it starts nothing and answers the stack as it is,
   * with all its kept progress events.
   */
  ensureStack(startAllowed: boolean): Promise<StackView>;
  /** The user's plan and usage (`entitlements(db, userId)`); asked only when something would start. */
  entitlements(): Promise<Entitlements>;
  /** The machines the caller needs (default: all); the provisioner's `ensureStack` must be asked for the same. */
  roles?: readonly StackRole[];
  now?: () => number;
}

/** Are the `roles` (default all) of this stack up? */
export const stackIsUp = (view: StackView, roles?: readonly StackRole[]) =>
  view.status === "ready" && (roles ?? STACK_ROLES).every((role) => view.up.includes(role));

/**
 * The one way to bring the user's machines up (`POST /api/stack/wake`, a sub-agent's run), so the plan's bring-ups
 * per hour and its allowance hold whichever way the stack is woken (wake-policy.ts decides). A ready stack costs
 * one provisioner call; otherwise the plan is asked, then `ensureStack` starts it. Throws `AllowanceExceededError`
 * (402) or `TooManyStackStartsError` (429); provisioner and database errors propagate unchanged.
 */
export async function ensureStackWithinPlan(gate: StackStartGate): Promise<StackView> {
  const current = await gate.ensureStack(false);
  if (stackIsUp(current, gate.roles)) return current;
  let plan: Entitlements | undefined;
  const decision = await decideWake({
    status: statusFor(current, gate.roles ?? STACK_ROLES),
    events: current.events,
    now: (gate.now ?? Date.now)(),
    plan: async () => {
      plan = await gate.entitlements();
      return { startsPerHour: planOf(plan.plan).stackStartsPerHour, overAllowance: plan.overAllowance };
    },
  });
  if (decision.kind === "allow") return gate.ensureStack(true);
  // decideWake asks the plan before refusing anything, so it is known here.
  if (!plan) throw new Error("stack start refused without the user's plan");
  if (decision.kind === "over_allowance") throw new AllowanceExceededError(plan);
  throw new TooManyStackStartsError(plan, decision.retryAfterSeconds, decision.startsInWindow);
}
