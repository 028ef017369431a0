import { describe, expect, it } from "vitest";
import type { StackEvent } from "../../../provisioner/src/stack/stack-record";
import { bringUpTimes, decideWake, statusFor } from "./wake-policy";

const NOW = Date.parse("2026-12-05T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

/** The events one bring-up and its suspend leave, `minutes` ago; `create` for the first one. */
function cycle(seq: number, minutes: number, create = false): StackEvent[] {
  const types: StackEvent["type"][] = [
    ...(create ? (["stack.creating"] as const) : []),
    "stack.starting",
    "stack.health_ok",
    "stack.ready",
    "stack.suspending",
    "stack.suspended",
  ];
  return types.map((type, i) => ({ seq: seq + i, type, at: minutesAgo(minutes), data: {} }));
}

const plan =
  (startsPerHour: number, overAllowance = false) =>
  async () => ({ startsPerHour, overAllowance });

describe("bringUpTimes", () => {
  it("counts a create and the start that follows it as one bring-up, and every later wake", () => {
    const events = [...cycle(1, 50, true), ...cycle(7, 30), ...cycle(12, 10)];
    expect(bringUpTimes(events)).toEqual([NOW - 50 * 60_000, NOW - 30 * 60_000, NOW - 10 * 60_000]);
  });

  it("counts a failed create that never started", () => {
    const events: StackEvent[] = [
      { seq: 1, type: "stack.creating", at: minutesAgo(5), data: {} },
      { seq: 2, type: "stack.failed", at: minutesAgo(5), data: { reason: "x" } },
      { seq: 3, type: "stack.creating", at: minutesAgo(4), data: {} },
      { seq: 4, type: "stack.starting", at: minutesAgo(4), data: {} },
    ];
    expect(bringUpTimes(events)).toHaveLength(2);
  });
});

describe("decideWake", () => {
  it("refuses the bring-up past the plan's cap per hour, with the wait until the oldest leaves the window", async () => {
    const events = [...cycle(1, 50, true), ...cycle(7, 40), ...cycle(12, 30), ...cycle(17, 20)];
    const decision = await decideWake({
      status: "suspended",
      events,
      now: NOW,
      plan: plan(4),
    });
    expect(decision).toEqual({ kind: "too_many_starts", retryAfterSeconds: 10 * 60, startsInWindow: 4 });
  });

  it("allows it again once bring-ups are older than an hour", async () => {
    const events = [...cycle(1, 90, true), ...cycle(7, 80), ...cycle(12, 70), ...cycle(17, 20)];
    const decision = await decideWake({
      status: "suspended",
      events,
      now: NOW,
      plan: plan(4),
    });
    expect(decision).toEqual({ kind: "allow" });
  });

  it("answers a ready or starting stack whatever the counts, without asking the allowance", async () => {
    const events = [...cycle(1, 5, true), ...cycle(7, 4), ...cycle(12, 3), ...cycle(17, 2), ...cycle(22, 1)];
    for (const status of ["ready", "starting", "creating"] as const) {
      const decision = await decideWake({
        status,
        events,
        now: NOW,
        plan: () => Promise.reject(new Error("must not be asked")),
      });
      expect(decision).toEqual({ kind: "allow" });
    }
  });

  it("refuses to create or wake a stack once the plan's tokens are used up", async () => {
    for (const status of ["none", "suspended", "failed"] as const) {
      const decision = await decideWake({
        status,
        events: [],
        now: NOW,
        plan: plan(4, true),
      });
      expect(decision).toEqual({ kind: "over_allowance" });
    }
  });
});

describe("memory-only bring-ups (the Gitea machine alone)", () => {
  const memoryEvent = (seq: number, type: StackEvent["type"]): StackEvent => ({
    seq,
    type,
    at: minutesAgo(1),
    data: { roles: "gitea" },
  });
  const ALL = ["opencode", "gitea"] as const;

  it("are not counted against the plan's starts per hour", () => {
    expect(bringUpTimes([memoryEvent(1, "stack.creating"), memoryEvent(2, "stack.starting")])).toEqual([]);
  });

  it("make a sandbox start a counted bring-up, not a free join: ready or coming up for memory alone", () => {
    const ready = { status: "ready" as const, up: ["gitea" as const], events: [] };
    expect(statusFor(ready, ALL)).toBe("suspended");
    expect(statusFor(ready, ["gitea"])).toBe("ready");
    const startingForMemory = {
      status: "starting" as const,
      up: [],
      events: [memoryEvent(3, "stack.starting")],
    };
    expect(statusFor(startingForMemory, ALL)).toBe("suspended");
    expect(statusFor(startingForMemory, ["gitea"])).toBe("starting");
    const startingForAll = {
      status: "starting" as const,
      up: [],
      events: [{ ...memoryEvent(4, "stack.starting"), data: { roles: "opencode,gitea" } }],
    };
    expect(statusFor(startingForAll, ALL)).toBe("starting");
    expect(statusFor({ status: "ready", up: [...ALL], events: [] }, ALL)).toBe("ready");
  });
});
