import { describe, expect, it } from "vitest";
import { ReplyRegenerator, type ReplyRegeneratorDeps } from "./reply-regenerator";

const THREAD = "00000000-0000-7000-8000-0000000000aa";

function regenerator(overrides: Partial<ReplyRegeneratorDeps>) {
  const calls: string[] = [];
  const deps: ReplyRegeneratorDeps = {
    db: () => {
      throw new Error("the database is not read when refusing");
    },
    userId: "u",
    intake: { assertAllowance: async () => {} },
    turns: { busy: () => false, replace: () => "new" },
    eventsShipped: async (threadId) => {
      calls.push(`shipped ${threadId}`);
      return true;
    },
    recovering: () => false,
    ...overrides,
  } as ReplyRegeneratorDeps;
  return { regenerator: new ReplyRegenerator(deps), calls };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "answered",
    (error: { code?: string }) => error.code,
  );

describe("ReplyRegenerator refusals", () => {
  it("refuses while a turn runs, or while a recovery has not finished, without waiting for the log", async () => {
    const busy = regenerator({ turns: { busy: () => true, replace: () => undefined } });
    expect(await codeOf(busy.regenerator.regenerate(THREAD, undefined))).toBe("turn_running");
    expect(busy.calls).toEqual([]);
    const recovering = regenerator({ recovering: () => true });
    expect(await codeOf(recovering.regenerator.regenerate(THREAD, undefined))).toBe("turn_running");
  });

  it("answers a retryable unavailable when the thread's log is not all in Postgres in time", async () => {
    const behind = regenerator({ eventsShipped: async () => false });
    expect(await codeOf(behind.regenerator.regenerate(THREAD, undefined))).toBe("unavailable");
  });
});
