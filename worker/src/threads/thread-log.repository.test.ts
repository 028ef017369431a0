import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { threads } from "../../../schema";
import type { Database } from "../../../schema/db";
import {
  insertUserWithThread,
  type MigratedDatabase,
  startMigratedDatabase,
} from "../../../test/support/local-db";
import { appendUserMessage, findMessageByIdempotencyKey, listMessages } from "./thread-log.repository";

describe("appendUserMessage (real Postgres via PGlite)", () => {
  let local: MigratedDatabase;
  let db: Database;

  beforeAll(async () => {
    local = await startMigratedDatabase();
    db = local.db;
  });
  afterAll(() => local.close());

  const userWithThread = async () => {
    const { user, thread } = await insertUserWithThread(db);
    return { userId: user.id, threadId: thread.id };
  };
  const content = [{ type: "text", text: "hi" }];

  it("stores a key once: the clash answers with the first message, and the seq stays gapless", async () => {
    const owner = await userWithThread();
    const first = await appendUserMessage(db, { ...owner, content, idempotencyKey: "k1" });
    const again = await appendUserMessage(db, { ...owner, content, idempotencyKey: "k1" });
    expect(first?.replayed).toBe(false);
    expect(again).toMatchObject({ replayed: true, message: { id: first?.message.id } });
    const next = await appendUserMessage(db, { ...owner, content, idempotencyKey: "k2" });
    const page = await listMessages(db, owner.threadId, { limit: 10, afterSeq: 0 });
    expect(page.rows.map((m) => [m.id, m.seq])).toEqual([
      [first?.message.id, 1],
      [next?.message.id, 2],
    ]);
  });

  it("stores every message sent without a key, and a key again in another thread", async () => {
    const owner = await userWithThread();
    const other = await userWithThread();
    await appendUserMessage(db, { ...owner, content });
    await appendUserMessage(db, { ...owner, content });
    await appendUserMessage(db, { ...owner, content, idempotencyKey: "same" });
    const elsewhere = await appendUserMessage(db, { ...other, content, idempotencyKey: "same" });
    expect(elsewhere?.replayed).toBe(false);
    expect((await listMessages(db, owner.threadId, { limit: 10, afterSeq: 0 })).rows).toHaveLength(3);
  });

  it("finds a key only in the owner's thread and stores nothing in someone else's", async () => {
    const owner = await userWithThread();
    const stranger = await userWithThread();
    await appendUserMessage(db, { ...owner, content, idempotencyKey: "mine" });
    const probe = { userId: stranger.userId, threadId: owner.threadId, idempotencyKey: "mine" };
    expect(await findMessageByIdempotencyKey(db, probe)).toBeUndefined();
    expect(await appendUserMessage(db, { ...probe, content })).toBeUndefined();
  });

  it("gives messages sent at once each their own seq, in one gapless run", async () => {
    const owner = await userWithThread();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        appendUserMessage(db, { ...owner, content, idempotencyKey: `p${i}` }),
      ),
    );
    const page = await listMessages(db, owner.threadId, { limit: 10, afterSeq: 0 });
    expect(page.rows.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("stores nothing in a thread that does not exist", async () => {
    const owner = await userWithThread();
    expect(await appendUserMessage(db, { ...owner, threadId: crypto.randomUUID(), content })).toBeUndefined();
  });

  it("marks the thread updated when a message is stored (the thread list orders and shows it)", async () => {
    const owner = await userWithThread();
    const before = await threadUpdatedAt(owner.threadId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await appendUserMessage(db, { ...owner, content });
    expect((await threadUpdatedAt(owner.threadId)).getTime()).toBeGreaterThan(before.getTime());
  });

  const threadUpdatedAt = async (threadId: string) => {
    const [row] = await db.select({ at: threads.updatedAt }).from(threads).where(eq(threads.id, threadId));
    if (!row) throw new Error("no thread");
    return row.at;
  };
});
