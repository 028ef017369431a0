import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { readAgentConfig } from "./agent-config";
import { TurnRunner, type TurnRunnerDeps } from "./turn-runner";

describe("TurnRunner, a regenerated reply", () => {
  it("logs the new turn's start before it replaces the old one, so a failure in between leaves a turn to redo", async () => {
    const env = {} as Env;
    const emitted: string[] = [];
    const runner = new TurnRunner({
      env,
      userId: "u",
      config: readAgentConfig(env),
      // The database fails as the old turn is being replaced (a restart would cut the turn at the same point).
      db: () => {
        throw new Error("database away");
      },
      emit: async (_threadId: string, type: string) => {
        emitted.push(type);
      },
    } as unknown as TurnRunnerDeps);
    const turn = {
      threadId: "t",
      messageId: "m",
      turnId: "new",
      signal: new AbortController().signal,
      waiting: new Set<string>(),
      replaces: { turnId: "old" },
    };
    await expect(runner.run(turn)).rejects.toThrow("database away");
    // Recovery finds it started (interrupted) and findLastTurn offers it again; nothing says the old one is gone.
    expect(emitted).toEqual(["turn.started"]);
  });
});
