import { describe, expect, it } from "vitest";
import type { StoredEvent } from "./event-pipeline";
import { LogNotWholeError, type RecoveryDeps, recoverAfterRestart } from "./restart-recovery";
import type { InterruptedTurn } from "./turn-recovery";

const stored = (seq: number): StoredEvent => ({
  threadId: "t",
  seq,
  type: "text.delta",
  data: {},
  at: new Date(0),
});

function harness(options: {
  interrupted?: InterruptedTurn[];
  subAgents?: Record<string, string[]>;
  unanswered?: Array<{ threadId: string; messageId: string }>;
  outbox?: StoredEvent[];
  shipped?: boolean;
  startedHere?: string[];
  takenHere?: string[];
}) {
  const calls: string[] = [];
  let outbox = new Map(options.outbox ? [["t", options.outbox]] : []);
  const deps: RecoveryDeps = {
    log: {
      interruptedTurns: async () => options.interrupted ?? [],
      unfinishedSubAgents: async (_t, turnId) => options.subAgents?.[turnId] ?? [],
      unansweredMessages: async () => options.unanswered ?? [],
    },
    pendingLocal: async () => outbox,
    shipPending: async () => {
      if (options.shipped !== false) outbox = new Map();
    },
    turnStartedHere: (turnId) => options.startedHere?.includes(turnId) ?? false,
    messageTakenHere: (_t, messageId) => options.takenHere?.includes(messageId) ?? false,
    answer: (_t, messageId) => calls.push(`answer ${messageId}`),
    abandonSubAgent: async (_t, subAgentId) => {
      calls.push(`abandon ${subAgentId}`);
    },
    savePartial: async (_t, _turn, text) => {
      calls.push(`partial ${text}`);
      return "msg-partial";
    },
    emit: async (_t, type, data) => {
      calls.push(`${type} ${(data as { turnId?: string }).turnId ?? ""}`.trim());
    },
  };
  return { deps, calls };
}

describe("recoverAfterRestart", () => {
  it("fails the cut turn's sub-agents, keeps its partial text, then ends it; answers waiting messages", async () => {
    const { deps, calls } = harness({
      interrupted: [{ threadId: "t", turnId: "cut", partialText: "half a reply" }],
      subAgents: { cut: ["sub-1"] },
      unanswered: [{ threadId: "t", messageId: "waiting" }],
    });
    await recoverAfterRestart(deps, 10);
    expect(calls).toEqual([
      "abandon sub-1",
      "partial half a reply",
      "message.assistant cut",
      "turn.interrupted cut",
      "answer waiting",
    ]);
  });

  it("leaves alone the turns and messages this instance took on meanwhile", async () => {
    const { deps, calls } = harness({
      interrupted: [{ threadId: "t", turnId: "new", partialText: "" }],
      unanswered: [{ threadId: "t", messageId: "mine" }],
      startedHere: ["new"],
      takenHere: ["mine"],
    });
    await recoverAfterRestart(deps, 10);
    expect(calls).toEqual([]);
  });

  it("decides nothing while the last run's events are not all in Postgres", async () => {
    const { deps, calls } = harness({
      interrupted: [{ threadId: "t", turnId: "cut", partialText: "" }],
      outbox: [stored(7), stored(8)],
      shipped: false,
    });
    await expect(recoverAfterRestart(deps, 10)).rejects.toBeInstanceOf(LogNotWholeError);
    expect(calls).toEqual([]);
  });
});
