import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { events, threads } from "../../schema";
import { stackDb } from "./db";
import { pageApi } from "./helpers";

/**
 * A thread with `exchanges` finished question-and-answer pairs, written straight into its event log (the log the
 * chat reads over REST), so a long conversation takes one insert instead of hundreds of model turns. Null when the
 * tests cannot reach the stack's database (then the caller skips).
 */
export async function seedLongThread(page: Page, exchanges: number, title = "A long conversation") {
  const db = stackDb();
  if (!db) return null;
  const me = (await pageApi(page, "/me")).body as { id: string };
  const thread = (await pageApi(page, "/threads", { method: "POST", body: { title } })).body as {
    id: string;
  };
  const rows: Array<typeof events.$inferInsert> = [];
  const base = Date.now() - exchanges * 60_000;
  const push = (type: string, data: Record<string, unknown>) =>
    rows.push({
      threadId: thread.id,
      userId: me.id,
      seq: rows.length + 1,
      type,
      data,
      at: new Date(base + rows.length * 10_000),
    });
  for (let i = 0; i < exchanges; i++) {
    const messageId = crypto.randomUUID();
    const turnId = crypto.randomUUID();
    push("message.user", { messageId, text: `Question ${i + 1}: how does this work?`, queued: false });
    push("turn.started", { turnId, messageId, model: "seeded" });
    const text = `Answer ${i + 1}. Here is **some** detail:\n\n\`\`\`ts\nconst answer = ${i};\n\`\`\`\n\nThat is all.`;
    push("text.delta", { turnId, step: 0, index: 0, text });
    push("turn.completed", { turnId, stopReason: "end_turn", steps: 1 });
  }
  try {
    for (let i = 0; i < rows.length; i += 200) await db.insert(events).values(rows.slice(i, i + 200));
    await db.update(threads).set({ lastSeq: rows.length }).where(eq(threads.id, thread.id));
  } finally {
    await db.$client.end();
  }
  return { threadId: thread.id, events: rows.length };
}
