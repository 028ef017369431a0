import { describe, expect, it } from "vitest";
import type { StackEvent, StackStatus, StackView } from "../../../provisioner/src/stack/stack-record";
import { AllowanceExceededError, type Entitlements } from "../billing/entitlements";
import { PLANS, type PlanId } from "../billing/plans";
import { ensureStackWithinPlan, TooManyStackStartsError } from "./admit-stack-start";

const NOW = Date.parse("2026-12-05T12:00:00Z");

/** `count` wakes (each with its suspend), ten minutes apart, the latest ten minutes ago. */
function wakes(count: number): StackEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(NOW - (10 + 10 * (count - 1 - i)) * 60_000).toISOString();
    const types: StackEvent["type"][] = [
      "stack.starting",
      "stack.ready",
      "stack.suspending",
      "stack.suspended",
    ];
    return types.map((type, j) => ({ seq: i * 4 + j + 1, type, at, data: {} }));
  }).flat();
}

function plan(id: PlanId, usedTokens = 0): Entitlements {
  const p = PLANS[id];
  return {
    plan: id,
    planName: p.name,
    status: id === "free" ? "none" : "active",
    cancelAtPeriodEnd: false,
    paymentFailed: false,
    hasBillingAccount: id !== "free",
    allowanceTokens: p.allowanceTokens,
    usedTokens,
    remainingTokens: Math.max(0, p.allowanceTokens - usedTokens),
    periodStart: new Date("2026-12-01T00:00:00Z"),
    periodEnd: new Date("2027-01-01T00:00:00Z"),
    maxParallelSubAgents: p.maxParallelSubAgents,
    stackIdleSeconds: p.stackIdleSeconds,
    overAllowance: usedTokens >= p.allowanceTokens,
  };
}

const view = (status: StackStatus, events: StackEvent[]): StackView =>
  ({
    status,
    events,
    machines: {},
    up: status === "ready" ? ["opencode", "gitea"] : [],
    lastSeq: events.length,
  }) as unknown as StackView;

/** A provisioner whose stack is `status`; records whether it was asked to start anything. */
function gate(status: StackStatus, events: StackEvent[], entitlements: () => Promise<Entitlements>) {
  const calls: boolean[] = [];
  return {
    calls,
    ensureStack: async (startAllowed: boolean) => {
      calls.push(startAllowed);
      return view(startAllowed ? "ready" : status, events);
    },
    entitlements,
    now: () => NOW,
  };
}

describe("ensureStackWithinPlan", () => {
  it(`refuses a free user's wake past ${PLANS.free.stackStartsPerHour} bring-ups an hour with 429 too_many_stack_starts and Retry-After`, async () => {
    const provisioner = gate("suspended", wakes(PLANS.free.stackStartsPerHour), async () => plan("free"));
    const refused = await ensureStackWithinPlan(provisioner).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TooManyStackStartsError);
    expect(provisioner.calls).toEqual([false]);
    const error = refused as TooManyStackStartsError;
    expect(error).toMatchObject({ status: 429, code: "too_many_stack_starts", startsInWindow: 4 });
    // The oldest of the four was 40 minutes ago: it leaves the hour in 20 minutes.
    expect(error.headers).toEqual({ "Retry-After": String(20 * 60) });
    expect(error.message).toBe(
      "The Free plan allows 4 stack starts an hour; retry in 1200 seconds or upgrade at /billing",
    );
  });

  it("lets a plan with more starts per hour through with the same history", async () => {
    await expect(
      ensureStackWithinPlan(gate("suspended", wakes(PLANS.free.stackStartsPerHour), async () => plan("pro"))),
    ).resolves.toMatchObject({ status: "ready" });
  });

  it("refuses to create a stack for a user whose tokens are used up (402 allowance_exceeded)", async () => {
    const provisioner = gate("none", [], async () => plan("free", PLANS.free.allowanceTokens));
    const refused = await ensureStackWithinPlan(provisioner).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AllowanceExceededError);
    expect(provisioner.calls).toEqual([false]);
    expect(refused).toMatchObject({ status: 402, code: "allowance_exceeded" });
  });

  it("admits a ready or starting stack without reading the plan", async () => {
    for (const status of ["ready", "creating", "starting"] as const) {
      const provisioner = gate(status, wakes(8), () => Promise.reject(new Error("must not be asked")));
      await expect(ensureStackWithinPlan(provisioner)).resolves.toMatchObject({ status: "ready" });
      // A ready stack is one provisioner call; one coming up is joined by a second, which may start.
      expect(provisioner.calls).toEqual(status === "ready" ? [false] : [false, true]);
    }
  });

  it("lets the provisioner's and the database's errors through unchanged", async () => {
    const down = new Error("provisioner down");
    await expect(
      ensureStackWithinPlan({
        ensureStack: () => Promise.reject(down),
        entitlements: async () => plan("free"),
      }),
    ).rejects.toBe(down);
    const db = new Error("database down");
    await expect(ensureStackWithinPlan(gate("suspended", [], () => Promise.reject(db)))).rejects.toBe(db);
  });
});
