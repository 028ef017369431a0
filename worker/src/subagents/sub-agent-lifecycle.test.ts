import { describe, expect, it } from "vitest";
import {
  CRASHED,
  cancelDecision,
  INTERRUPTED,
  initialState,
  isReservation,
  keepAfterFailedOpen,
  mayStart,
  outcomeOnWake,
  type SubAgentStatus,
  stackNotReady,
  statusAfter,
} from "./sub-agent-lifecycle";

const STATUSES: SubAgentStatus[] = ["idle", "running", "completed", "failed", "cancelled"];

describe("initialState", () => {
  it("takes the input, bounded, and starts idle and unlisted", () => {
    const state = initialState({ task: "x".repeat(20_000), threadId: "t-1", skills: ["a", "b"] }, 42);
    expect(state).toEqual({
      task: "x".repeat(10_000),
      threadId: "t-1",
      skills: ["a", "b"],
      status: "idle",
      createdAt: 42,
      opencodeSessionId: null,
      listed: false,
    });
  });

  it("survives whatever a creator sent (anyone may create an actor under any key)", () => {
    expect(initialState(undefined, 1)).toMatchObject({ task: "", threadId: "", skills: [] });
    const junk = { task: 7, threadId: null, skills: "all" } as never;
    expect(initialState(junk, 1)).toMatchObject({ task: "7", threadId: "", skills: [] });
    const many = initialState({ skills: Array.from({ length: 30 }, (_, i) => i) as never }, 1);
    expect(many.skills).toHaveLength(20);
    expect(many.skills[0]).toBe("0");
  });
});

describe("start", () => {
  it.each(STATUSES)("from %s: runs only from idle", (status) => {
    expect(mayStart(status)).toBe(status === "idle");
  });

  it.each([
    [{ status: "starting" }, true],
    [{ status: "running" }, false],
    [{ status: "completed" }, false],
    [{ status: "failed" }, false],
    [undefined, false],
  ])("row %j is a reservation: %s", (row, reserved) => {
    expect(isReservation(row)).toBe(reserved);
  });
});

describe("wake", () => {
  it.each([
    ["running", false, INTERRUPTED],
    ["running", true, undefined],
    ["idle", false, undefined],
    ["completed", false, undefined],
    ["cancelled", false, undefined],
  ] as const)("%s, run in memory %s: ends it with %j", (status, inMemory, outcome) => {
    expect(outcomeOnWake(status, inMemory)).toEqual(outcome);
  });
});

describe("cancel", () => {
  it.each([
    ["running", true, { abort: true, cancelled: true }],
    ["running", false, { abort: false, cancelled: false }],
    // A run still in memory after its end was recorded is aborted all the same, but nothing was cancelled.
    ["completed", true, { abort: true, cancelled: false }],
    ["idle", false, { abort: false, cancelled: false }],
  ] as const)("%s, run in memory %s: %j", (status, inMemory, decision) => {
    expect(cancelDecision(status, inMemory)).toEqual(decision);
  });
});

describe("finish", () => {
  it("a running sub-agent ends in its outcome's status", () => {
    expect(statusAfter("running", { status: "completed", costUsd: 0 })).toBe("completed");
    expect(statusAfter("running", CRASHED)).toBe("failed");
    expect(statusAfter("running", { status: "cancelled", costUsd: 0 })).toBe("cancelled");
  });

  it.each(["idle", "completed", "failed", "cancelled"] as const)(
    "%s: a second (or premature) report changes nothing",
    (status) => {
      expect(statusAfter(status, { status: "completed", costUsd: 0 })).toBeUndefined();
    },
  );
});

describe("a relay connection that failed to open", () => {
  it("is dropped when it is still the current one, so the next delivery opens afresh", () => {
    const failed = { id: 1 };
    expect(keepAfterFailedOpen(failed, failed)).toBeUndefined();
  });

  it("does not drop a newer one opened meanwhile", () => {
    const newer = { id: 2 };
    expect(keepAfterFailedOpen(newer, { id: 1 })).toBe(newer);
    expect(keepAfterFailedOpen(undefined, { id: 1 })).toBeUndefined();
  });
});

describe("stackNotReady", () => {
  it("says why a stack is unusable, and nothing for a ready one", () => {
    expect(stackNotReady({ status: "ready" })).toBeUndefined();
    expect(stackNotReady({ status: "failed", lastError: "no capacity" })).toBe(
      "The sandbox is failed: no capacity",
    );
    expect(stackNotReady({ status: "suspended", lastError: null })).toBe(
      "The sandbox is suspended: not ready",
    );
  });
});
