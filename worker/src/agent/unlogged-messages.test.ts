import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events } from "../../../schema";
import {
  insertUserWithThread,
  type MigratedDatabase,
  startMigratedDatabase,
} from "../../../test/support/local-db";
import type { StoredEvent } from "./event-pipeline";
import { UnloggedMessages } from "./unlogged-messages";

describe("a resent message that was stored but never logged", () => {
  let local: MigratedDatabase;
  let thread: { id: string; userId: string };
  const outbox = new Map<string, StoredEvent[]>();
  const make = (db = () => local.db) => new UnloggedMessages({ db, pendingEvents: async () => outbox });
  /** An event of the thread in Postgres. */
  const stored = (seq: number, type: string, data: Record<string, unknown>) =>
    local.db.insert(events).values({ threadId: thread.id, userId: thread.userId, seq, type, data });
  /** The thread's events in the actor's outbox, not yet in Postgres. */
  const inOutbox = (...pending: Array<[seq: number, type: string, data: Record<string, unknown>]>) =>
    outbox.set(
      thread.id,
      pending.map(([seq, type, data]) => ({ threadId: thread.id, seq, type, data, at: new Date() })),
    );

  beforeAll(async () => {
    local = await startMigratedDatabase();
    ({ thread } = await insertUserWithThread(local.db));
  });
  afterAll(() => local?.close());

  it("is adopted once, by one of two resends at the same time", async () => {
    const unlogged = make();
    const answers = await Promise.all([
      unlogged.adopt(thread.id, "m-orphan"),
      unlogged.adopt(thread.id, "m-orphan"),
    ]);
    expect(answers.sort()).toEqual([false, true]);
    expect(await unlogged.adopt(thread.id, "m-orphan")).toBe(false);
  });

  it("is not adopted when its event is in Postgres or still in the actor's outbox", async () => {
    await stored(1, "message.user", { messageId: "m-shipped", text: "hi" });
    inOutbox([2, "message.user", { messageId: "m-local" }]);
    const unlogged = make();
    expect(await unlogged.adopt(thread.id, "m-shipped")).toBe(false);
    expect(await unlogged.adopt(thread.id, "m-local")).toBe(false);
    // The same id in another thread's log says nothing about this one.
    expect(await make().adopt(crypto.randomUUID(), "m-shipped")).toBe(true);
  });

  it("is not adopted when a turn answering it was logged without its message.user", async () => {
    // Writing message.user failed, but the turn ran (agent-runtime.ts starts it either way).
    await stored(3, "turn.started", { turnId: "t-1", messageId: "m-answered" });
    inOutbox([4, "turn.failed", { messageId: "m-failed-here" }]);
    const unlogged = make();
    expect(await unlogged.adopt(thread.id, "m-answered")).toBe(false);
    expect(await unlogged.adopt(thread.id, "m-failed-here")).toBe(false);
    // Other events that carry a messageId do not count as the message being logged.
    inOutbox([5, "message.assistant", { messageId: "m-other" }]);
    expect(await unlogged.adopt(thread.id, "m-other")).toBe(true);
  });

  it("is never adopted while this run is logging it, without even looking", async () => {
    let looked = false;
    const unlogged = make(() => {
      looked = true;
      return local.db;
    });
    unlogged.taken("m-in-flight");
    expect(await unlogged.adopt(thread.id, "m-in-flight")).toBe(false);
    expect(looked).toBe(false);
  });

  it("gives its claim back when the log cannot be read, so the next resend looks again", async () => {
    let down = true;
    const unlogged = make(() => {
      if (down) throw new Error("Connection terminated unexpectedly");
      return local.db;
    });
    await expect(unlogged.adopt(thread.id, "m-outage")).rejects.toThrow("Connection terminated");
    down = false;
    expect(await unlogged.adopt(thread.id, "m-outage")).toBe(true);
  });
});
