import type { StackEvent, StackRole, StackStatus } from "../../../provisioner/src/stack/stack-record";
import { STACK_START_WINDOW_SECONDS } from "../http/limits";

/** States in which `ensureStack` starts nothing new: it answers, or joins the bring-up already counted. */
const NOTHING_TO_START: ReadonlySet<StackStatus> = new Set(["ready", "creating", "starting"]);

/** A bring-up of the Gitea machine alone (memory-git.ts): memory's own, not one of the plan's counted starts. */
const memoryOnly = (event: StackEvent) => event.data.roles === "gitea";

/**
 * Times (ms) of the bring-ups among the stack's progress events: each `stack.creating`, and each
 * `stack.starting` that does not directly follow a `stack.creating` (a create goes on to start its machines,
 * which is the same bring-up). Memory-only bring-ups are left out.
 */
export function bringUpTimes(events: readonly StackEvent[]): number[] {
  const sorted = [...events].filter((event) => !memoryOnly(event)).sort((a, b) => a.seq - b.seq);
  const times: number[] = [];
  sorted.forEach((event, index) => {
    const previous = sorted[index - 1];
    const followsCreate = previous?.type === "stack.creating" && previous.seq === event.seq - 1;
    if (event.type === "stack.creating" || (event.type === "stack.starting" && !followsCreate)) {
      times.push(Date.parse(event.at));
    }
  });
  return times;
}

/**
 * The stack's status as a caller needing `roles` sees it. A stack up, or coming up, for memory alone (only its
 * Gitea machine) is for the sandbox a stack to start: a counted bring-up the plan must allow, not one to join.
 */
export function statusFor(
  view: { status: StackStatus; up: readonly StackRole[]; events: readonly StackEvent[] },
  roles: readonly StackRole[],
): StackStatus {
  if (!NOTHING_TO_START.has(view.status) || roles.every((role) => view.up.includes(role))) return view.status;
  if (view.status === "ready") return "suspended";
  const inFlight = [...view.events]
    .sort((a, b) => b.seq - a.seq)
    .find((event) => event.type === "stack.creating" || event.type === "stack.starting");
  return inFlight && memoryOnly(inFlight) && roles.some((role) => role !== "gitea")
    ? "suspended"
    : view.status;
}

export type WakeDecision =
  | { kind: "allow" }
  | { kind: "over_allowance" }
  | { kind: "too_many_starts"; retryAfterSeconds: number; startsInWindow: number };

export interface WakeInput {
  status: StackStatus;
  events: readonly StackEvent[];
  now: number;
  /** The user's plan: bring-ups allowed per hour, and whether its tokens are used up. Asked only when something would start. */
  plan: () => Promise<{ startsPerHour: number; overAllowance: boolean }>;
}

/**
 * May this user's machines be created or woken now (`POST /api/stack/wake` and sub-agents ask it through
 * admit-stack-start.ts)? A stack that is ready or already coming up costs nothing more and is always answered.
 * Otherwise the user must be within their token allowance (a sandbox is only for work the plan pays for) and
 * under the plan's bring-ups per hour.
 */
export async function decideWake(input: WakeInput): Promise<WakeDecision> {
  if (NOTHING_TO_START.has(input.status)) return { kind: "allow" };
  const { startsPerHour, overAllowance } = await input.plan();
  const windowMs = STACK_START_WINDOW_SECONDS * 1_000;
  const recent = bringUpTimes(input.events)
    .filter((at) => at > input.now - windowMs)
    .sort((a, b) => a - b);
  if (recent.length >= startsPerHour) {
    // The oldest bring-up that must leave the window before one more fits.
    const oldest = recent[recent.length - startsPerHour] ?? input.now;
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + windowMs - input.now) / 1_000));
    return { kind: "too_many_starts", retryAfterSeconds, startsInWindow: recent.length };
  }
  if (overAllowance) return { kind: "over_allowance" };
  return { kind: "allow" };
}
