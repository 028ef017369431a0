import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "../../../platform/logger";
import type { Env } from "../env";
import { findSession, finishSession } from "./sessions.repository";
import { initialState, type SubAgentState } from "./sub-agent-lifecycle";
import { type SubAgentHost, SubAgentRun } from "./sub-agent-run";
import { runSubAgent, type SubAgentOutcome, type SubAgentRunDeps } from "./subagent-runner";

vi.mock("../db/open-database", () => ({
  withDatabase: (_env: unknown, work: (db: unknown) => unknown) => work({}),
}));
vi.mock("./sessions.repository", () => ({
  findSession: vi.fn(),
  finishSession: vi.fn(async () => {}),
  markSessionRunning: vi.fn(async () => {}),
}));
vi.mock("./subagent-runner", () => ({ runSubAgent: vi.fn() }));

const quiet = { warn() {}, error() {}, info() {}, debug() {} } as unknown as Logger;

function fixture(status: SubAgentState["status"] = "idle") {
  const state: SubAgentState = { ...initialState({ task: "do it", threadId: "thread-1" }, 0), status };
  const background: Promise<unknown>[] = [];
  const finished: SubAgentOutcome[] = [];
  const relayed: Array<{ batch: number; events: unknown[] }> = [];
  const connection = {
    relaySubAgentEvents: vi.fn(async (_t: string, _s: string, events: unknown[], batch: number) => {
      relayed.push({ batch, events });
    }),
    dispose: vi.fn(async () => {}),
  };
  const connect = vi.fn(() => connection);
  const host: SubAgentHost = {
    userId: "user-1",
    subAgentId: "sa-1",
    state,
    controller: undefined,
    saveState: vi.fn(async () => {}),
    waitUntil: (work) => void background.push(work),
    growAgent: async () => ({
      connect,
      subAgentFinished: async (_threadId, _subAgentId, outcome) => void finished.push(outcome),
    }),
    env: {} as Env,
    log: quiet,
  };
  const settled = () => Promise.all(background);
  return { host, state, finished, relayed, connect, connection, settled, run: new SubAgentRun(host) };
}

beforeEach(() => {
  vi.mocked(findSession).mockReset();
  vi.mocked(finishSession).mockClear();
  vi.mocked(runSubAgent).mockReset();
});

describe("SubAgentRun.start", () => {
  it("runs a reserved sub-agent in the background, records its outcome and tells the Grow Agent", async () => {
    const f = fixture();
    vi.mocked(findSession).mockResolvedValue({ status: "starting" } as never);
    vi.mocked(runSubAgent).mockImplementation(async (deps: SubAgentRunDeps) => {
      expect(f.host.controller).toBeDefined();
      await deps.relay([{ type: "subagent.text", data: { delta: "a" } }], 1);
      await deps.relay([{ type: "subagent.text", data: { delta: "b" } }], 2);
      return { status: "completed", result: "done", costUsd: 0.5 };
    });
    expect(await f.run.start()).toEqual({ started: true, status: "running" });
    expect(f.host.saveState).toHaveBeenCalled();
    await f.settled();
    expect(f.relayed.map((r) => r.batch)).toEqual([1, 2]);
    expect(f.connect).toHaveBeenCalledTimes(1);
    expect(f.connection.dispose).toHaveBeenCalled();
    expect(f.state.status).toBe("completed");
    expect(f.host.controller).toBeUndefined();
    const outcome = { status: "completed", result: "done", costUsd: 0.5 };
    expect(finishSession).toHaveBeenCalledWith({}, "user-1", "sa-1", outcome);
    expect(f.finished).toEqual([outcome]);
  });

  it("refuses a sub-agent whose row the Grow Agent did not reserve", async () => {
    const f = fixture();
    vi.mocked(findSession).mockResolvedValue(undefined);
    expect(await f.run.start()).toBe("not_reserved");
    expect(f.state.status).toBe("idle");
    expect(runSubAgent).not.toHaveBeenCalled();
  });

  it("answers a second start with the status as it is, without asking the database", async () => {
    const f = fixture("running");
    expect(await f.run.start()).toEqual({ started: false, status: "running" });
    expect(findSession).not.toHaveBeenCalled();
  });

  it("ends a run that threw as crashed", async () => {
    const f = fixture();
    vi.mocked(findSession).mockResolvedValue({ status: "starting" } as never);
    vi.mocked(runSubAgent).mockRejectedValue(new Error("bug"));
    await f.run.start();
    await f.settled();
    expect(f.finished).toEqual([{ status: "failed", error: "The sub-agent crashed", costUsd: 0 }]);
  });

  it("opens the relay connection afresh after one failed to open", async () => {
    const f = fixture();
    vi.mocked(findSession).mockResolvedValue({ status: "starting" } as never);
    f.connect.mockImplementationOnce(() => {
      throw new Error("unreachable");
    });
    vi.mocked(runSubAgent).mockImplementation(async (deps: SubAgentRunDeps) => {
      await expect(deps.relay([], 1)).rejects.toThrow("unreachable");
      await deps.relay([], 1);
      return { status: "completed", costUsd: 0 };
    });
    await f.run.start();
    await f.settled();
    expect(f.connect).toHaveBeenCalledTimes(2);
    expect(f.relayed.map((r) => r.batch)).toEqual([1]);
  });
});

describe("SubAgentRun.cancel and wake", () => {
  it("cancel aborts the run in memory", async () => {
    const f = fixture();
    vi.mocked(findSession).mockResolvedValue({ status: "starting" } as never);
    vi.mocked(runSubAgent).mockImplementation(
      (deps: SubAgentRunDeps) =>
        new Promise((resolve) =>
          deps.signal.addEventListener("abort", () => resolve({ status: "cancelled", costUsd: 0 })),
        ),
    );
    await f.run.start();
    expect(new SubAgentRun(f.host).cancel("Cancelled")).toEqual({ cancelled: true });
    await f.settled();
    expect(f.state.status).toBe("cancelled");
    expect(new SubAgentRun(f.host).cancel("Cancelled")).toEqual({ cancelled: false });
  });

  it("a wake finds a run cut by a restart and ends it as interrupted, once", async () => {
    const f = fixture("running");
    f.run.wake();
    f.run.wake();
    await f.settled();
    expect(f.state.status).toBe("failed");
    expect(f.finished).toEqual([{ status: "failed", error: "Interrupted by a restart", costUsd: 0 }]);
  });
});
