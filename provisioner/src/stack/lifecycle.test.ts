import { describe, expect, it } from "vitest";
import {
  covers,
  idleAlarmAt,
  type LifecycleConfig,
  markFailed,
  planEnsure,
  resourcePrefix,
  shouldIdleSuspend,
  shouldPersistActivity,
  transition,
  upRoles,
} from "./lifecycle";
import { emptyRecord, type StackRecord } from "./stack-record";

const config: LifecycleConfig = { idleSuspendMs: 60_000, maxFailures: 3, retryCooldownMs: 30_000 };
const base = emptyRecord("user-1", "growqr-runtime", "iad", 1_000);
const withMachines = (record: StackRecord): StackRecord => ({
  ...record,
  resources: { opencode: { machineId: "m1", volumeId: "v1" }, gitea: { machineId: "m2", volumeId: "v2" } },
});

describe("planEnsure", () => {
  it("creates a new stack, answers a ready one without work", () => {
    expect(planEnsure(base, 2_000, config)).toEqual({ kind: "create" });
    expect(planEnsure({ ...withMachines(base), status: "ready" }, 2_000, config)).toEqual({ kind: "answer" });
  });

  it("wakes a suspended stack, or recreates what is missing", () => {
    expect(planEnsure({ ...withMachines(base), status: "suspended" }, 2_000, config).kind).toBe("wake");
    expect(planEnsure({ ...base, status: "suspended" }, 2_000, config).kind).toBe("create");
  });

  it("resumes an interrupted create or start", () => {
    expect(planEnsure({ ...base, status: "creating" }, 2_000, config).kind).toBe("create");
    expect(planEnsure({ ...withMachines(base), status: "starting" }, 2_000, config).kind).toBe("wake");
  });

  it("retries a failed stack by restarting its machines, until the failures run out", () => {
    const failed = markFailed(withMachines(base), "health timed out", 5_000);
    expect(planEnsure(failed, 6_000, config)).toEqual({ kind: "restart" });
    const exhausted = markFailed(markFailed(failed, "again", 6_000), "and again", 7_000);
    expect(exhausted.failures).toBe(3);
    expect(planEnsure(exhausted, 8_000, config)).toEqual({
      kind: "give_up",
      reason: "and again",
      retryAt: 37_000,
    });
    expect(planEnsure(exhausted, 37_000, config)).toEqual({ kind: "restart" });
  });

  it("retries a failed create from the start when machines are missing", () => {
    expect(planEnsure(markFailed(base, "Fly unavailable", 5_000), 6_000, config).kind).toBe("create");
  });
});

describe("planEnsure with roles (memory wakes only Gitea)", () => {
  const giteaOnly: StackRecord = {
    ...base,
    status: "ready",
    up: ["gitea"],
    resources: { gitea: { machineId: "m2", volumeId: "v2" } },
  };

  it("answers a stack whose asked roles are up, and brings up the ones that are not", () => {
    expect(planEnsure(giteaOnly, 2_000, config, ["gitea"])).toEqual({ kind: "answer" });
    expect(upRoles(giteaOnly)).toEqual(["gitea"]);
    // The sandbox was never made: create it (the Gitea machine stays).
    expect(planEnsure(giteaOnly, 2_000, config).kind).toBe("create");
    expect(planEnsure({ ...withMachines(giteaOnly), up: ["gitea"] }, 2_000, config).kind).toBe("wake");
  });

  it("creates only the machines of the roles asked for", () => {
    expect(planEnsure(base, 2_000, config, ["gitea"]).kind).toBe("create");
    const suspendedGitea = { ...giteaOnly, status: "suspended" as const, up: [] };
    expect(planEnsure(suspendedGitea, 2_000, config, ["gitea"]).kind).toBe("wake");
    expect(planEnsure(suspendedGitea, 2_000, config).kind).toBe("create");
  });

  it("counts every role up in a ready record from before roles, none in any other status", () => {
    expect(covers({ ...withMachines(base), status: "ready" }, ["opencode", "gitea"])).toBe(true);
    expect(upRoles({ ...withMachines(base), status: "suspended", up: ["gitea"] })).toEqual([]);
    // The sandbox coming up beside a Gitea that is up does not take memory down meanwhile.
    expect(upRoles({ ...withMachines(base), status: "starting", up: ["gitea"] })).toEqual(["gitea"]);
  });

  it("a suspend or a failure takes every role down; adding a role keeps the ones up", () => {
    expect(transition(giteaOnly, "suspending", 2_000).up).toEqual([]);
    expect(markFailed(giteaOnly, "boom", 2_000).up).toEqual([]);
    expect(transition(giteaOnly, "starting", 2_000).up).toEqual(["gitea"]);
    expect(transition(giteaOnly, "creating", 2_000).status).toBe("creating");
  });
});

describe("transition", () => {
  it("follows none → creating → starting → ready → suspending → suspended → starting", () => {
    let record = base;
    for (const status of ["creating", "starting", "ready", "suspending", "suspended", "starting"] as const)
      record = transition(record, status, 2_000);
    expect(record.status).toBe("starting");
  });

  it("refuses impossible changes", () => {
    expect(() => transition(base, "ready", 2_000)).toThrow(/none → ready/);
    expect(() => transition({ ...base, status: "suspended" }, "suspending", 2_000)).toThrow();
  });

  it("clears the failure count and error on ready", () => {
    const failed = markFailed({ ...base, status: "starting" }, "boom", 2_000);
    const ready = transition(transition(failed, "starting", 3_000), "ready", 4_000);
    expect(ready).toMatchObject({ status: "ready", failures: 0, lastActiveAt: 4_000 });
    expect(ready.lastError).toBeUndefined();
  });
});

describe("idle suspend", () => {
  const ready = { ...withMachines(base), status: "ready" as const, lastActiveAt: 10_000 };

  it("alarms only for ready stacks, at last activity plus the idle time", () => {
    expect(idleAlarmAt(ready, config)).toBe(70_000);
    expect(idleAlarmAt({ ...ready, status: "suspended" }, config)).toBeUndefined();
  });

  it("suspends once idle long enough, not before", () => {
    expect(shouldIdleSuspend(ready, 69_999, config)).toBe(false);
    expect(shouldIdleSuspend(ready, 70_000, config)).toBe(true);
    expect(shouldIdleSuspend({ ...ready, status: "starting" }, 99_000, config)).toBe(false);
  });

  it("persists warm activity at most every 30 s", () => {
    expect(shouldPersistActivity(0, 29_999)).toBe(false);
    expect(shouldPersistActivity(0, 30_000)).toBe(true);
  });
});

describe("resourcePrefix", () => {
  it("is stable per user, distinct between users, and short enough for Fly names", async () => {
    const a = await resourcePrefix("user-a");
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(await resourcePrefix("user-a")).toBe(a);
    expect(await resourcePrefix("user-b")).not.toBe(a);
  });
});
