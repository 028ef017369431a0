import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../schema/db";
import {
  insertUserWithThread,
  type MigratedDatabase,
  startMigratedDatabase,
} from "../../../test/support/local-db";
import { loadHistory } from "../agent/conversation-history";
import { findLastTurn, findRegeneration, supersedeTurn } from "./regeneration.repository";
import { appendMessage, listMessages, storeSequencedEvents } from "./thread-log.repository";

const T1 = "00000000-0000-7000-8000-000000000001";
const T2 = "00000000-0000-7000-8000-000000000002";
const T3 = "00000000-0000-7000-8000-000000000003";

describe("regenerating a reply (real Postgres via PGlite)", () => {
  let local: MigratedDatabase;
  let db: Database;

  beforeAll(async () => {
    local = await startMigratedDatabase();
    db = local.db;
  });
  afterAll(() => local.close());

  /** A thread as the agent leaves it: messages stored, their events in the log. */
  async function thread() {
    const { user, thread } = await insertUserWithThread(db);
    const owner = { userId: user.id, threadId: thread.id };
    let seq = 0;
    const log = (type: string, data: unknown) =>
      storeSequencedEvents(db, { ...owner, events: [{ seq: ++seq, type, data, at: new Date() }] });
    const message = async (role: "user" | "assistant", content: unknown[], turnId?: string) => {
      const row = await appendMessage(db, { ...owner, role, content, turnId });
      if (!row) throw new Error("no message");
      return row.id;
    };
    const text = (value: string) => [{ type: "text", text: value }];
    /** A user message and a turn answering it with a tool call, its result and a final text. */
    const exchange = async (question: string, turnId: string, answer: string) => {
      const messageId = await message("user", text(question));
      await log("message.user", { messageId, text: question, queued: false });
      await log("turn.started", { turnId, messageId, model: "m" });
      const call = await message(
        "assistant",
        [{ type: "tool_use", id: `toolu_${turnId.slice(-4)}`, name: "list_threads", input: {} }],
        turnId,
      );
      await log("message.assistant", { turnId, messageId: call, status: "complete" });
      await message(
        "user",
        [{ type: "tool_result", tool_use_id: `toolu_${turnId.slice(-4)}`, content: "[]" }],
        turnId,
      );
      const reply = await message("assistant", text(answer), turnId);
      await log("message.assistant", { turnId, messageId: reply, status: "complete" });
      await log("turn.completed", { turnId, stopReason: "end_turn", steps: 2 });
      return messageId;
    };
    return { ...owner, log, message, text, exchange };
  }

  it("keeps the replaced reply, its tool call and its result out of this and every later history", async () => {
    const t = await thread();
    await t.exchange("first", T1, "first answer");
    const second = await t.exchange("second", T2, "old answer");
    expect(await findLastTurn(db, t.userId, t.threadId)).toEqual({ turnId: T2, messageId: second });

    const replaced = { supersededTurnId: T2, turnId: T3, messageId: second, idempotencyKey: "k" };
    expect(await supersedeTurn(db, { ...t, ...replaced })).toBe(true);
    const history = JSON.stringify(
      await loadHistory(db, t.threadId, second, new Set(), { regenerated: true }),
    );
    expect(history).toContain("first answer");
    expect(history).not.toContain("old answer");
    expect(history).not.toContain("toolu_0002");
    expect(history).toContain("toolu_0001");
    const roles = (await loadHistory(db, t.threadId, second)).map((m) => m.role);
    // first, its tool call, result and answer, then the message being answered again, last.
    expect(roles).toEqual(["user", "assistant", "user", "assistant", "user"]);

    // A later turn's history still leaves it out.
    const third = await t.message("user", t.text("third"));
    expect(JSON.stringify(await loadHistory(db, t.threadId, third))).not.toContain("old answer");

    // The messages API keeps them, saying which turn replaced them.
    const listed = (await listMessages(db, t.threadId, { limit: 50, afterSeq: 0 })).rows;
    expect(listed.filter((row) => row.supersededBy === T3).map((row) => row.turnId)).toEqual([T2, T2, T2]);
    expect(listed.filter((row) => row.turnId === T1).every((row) => row.supersededBy === null)).toBe(true);

    // What the replaced turn stores after it was replaced (a late write, recovery's partial text) stays out too.
    await t.message("assistant", t.text("late old text"), T2);
    expect(JSON.stringify(await loadHistory(db, t.threadId, third))).not.toContain("late old text");

    // A turn is replaced once; the key finds the regeneration, only in its owner's thread.
    expect(await supersedeTurn(db, { ...t, ...replaced, turnId: T1 })).toBe(false);
    expect(await findRegeneration(db, { ...t, idempotencyKey: "k" })).toEqual({
      supersededTurnId: T2,
      turnId: T3,
      messageId: second,
    });
    const stranger = await insertUserWithThread(db);
    expect(
      await findRegeneration(db, { userId: stranger.user.id, threadId: t.threadId, idempotencyKey: "k" }),
    ).toBeUndefined();
  });

  it("shows a regenerated reply the thread up to the message it answers, not a message sent meanwhile", async () => {
    const t = await thread();
    const first = await t.exchange("first", T1, "old answer");
    await supersedeTurn(db, { ...t, supersededTurnId: T1, turnId: T2, messageId: first });
    // Sent while the regenerated turn was starting: stored before it reads its history.
    await t.message("user", t.text("sent meanwhile"));
    const history = await loadHistory(db, t.threadId, first, new Set(), { regenerated: true });
    expect(history).toEqual([{ role: "user", content: t.text("first") }]);
  });

  it("replaces with the last reply an earlier one to the same message that a cut regenerate left in place", async () => {
    const t = await thread();
    const first = await t.exchange("first", T1, "old answer");
    // T2 regenerated T1, logged its start and was cut before it recorded the replacement: T1 is still in place.
    await t.log("turn.started", { turnId: T2, messageId: first, model: "m" });
    await t.message("assistant", t.text("cut answer"), T2);
    await t.log("turn.interrupted", { turnId: T2 });
    expect(await findLastTurn(db, t.userId, t.threadId)).toEqual({ turnId: T2, messageId: first });
    const T4 = "00000000-0000-7000-8000-000000000004";
    await t.log("turn.started", { turnId: T4, messageId: first, model: "m" });
    expect(await supersedeTurn(db, { ...t, supersededTurnId: T2, turnId: T4, messageId: first })).toBe(true);
    const later = await t.message("user", t.text("later"));
    const history = JSON.stringify(await loadHistory(db, t.threadId, later));
    expect(history).not.toContain("old answer");
    expect(history).not.toContain("cut answer");
    expect(history).not.toContain("toolu_0001");
  });

  it("finds no last reply when nothing was answered, a newer message waits, or it was replaced", async () => {
    const t = await thread();
    expect(await findLastTurn(db, t.userId, t.threadId)).toBeUndefined();
    const first = await t.exchange("first", T1, "answer");
    const stranger = await insertUserWithThread(db);
    expect(await findLastTurn(db, stranger.user.id, t.threadId)).toBeUndefined();

    await supersedeTurn(db, { ...t, supersededTurnId: T1, turnId: T2, messageId: first });
    // The replacing turn has not logged its start yet: the replaced one is not offered again.
    expect(await findLastTurn(db, t.userId, t.threadId)).toBeUndefined();
    await t.log("turn.superseded", { turnId: T1, byTurnId: T2, messageId: first });
    await t.log("turn.started", { turnId: T2, messageId: first, model: "m" });
    expect(await findLastTurn(db, t.userId, t.threadId)).toEqual({ turnId: T2, messageId: first });

    const waiting = await t.message("user", t.text("unanswered"));
    await t.log("message.user", { messageId: waiting, text: "unanswered", queued: false });
    expect(await findLastTurn(db, t.userId, t.threadId)).toBeUndefined();
  });
});
