import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { events, threads } from "../../schema";
import { stackDb } from "./db";
import { pageApi } from "./helpers";

/** One event to seed: its type and data (seq and time are given in order). */
export interface SeedEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * A thread with `exchanges` finished question-and-answer pairs, written straight into its event log (the log the
 * chat reads over REST), so a long conversation takes one insert instead of hundreds of model turns. Null when the
 * tests cannot reach the stack's database (then the caller skips).
 */
export async function seedLongThread(page: Page, exchanges: number, title = "A long conversation") {
  const seeded: SeedEvent[] = [];
  for (let i = 0; i < exchanges; i++) {
    const text = `Answer ${i + 1}. Here is **some** detail:\n\n\`\`\`ts\nconst answer = ${i};\n\`\`\`\n\nThat is all.`;
    seeded.push(...seedExchange(`Question ${i + 1}: how does this work?`, text));
  }
  return seedThread(page, seeded, title, exchanges * 60_000);
}

/** A user message and its finished one-step reply. */
export function seedExchange(question: string, answer: string): SeedEvent[] {
  const messageId = crypto.randomUUID();
  const turnId = crypto.randomUUID();
  return [
    { type: "message.user", data: { messageId, text: question, queued: false } },
    { type: "turn.started", data: { turnId, messageId, model: "seeded" } },
    { type: "text.delta", data: { turnId, step: 0, index: 0, text: answer } },
    { type: "turn.completed", data: { turnId, stopReason: "end_turn", steps: 1 } },
  ];
}

/**
 * A new thread of the signed-in user holding `seeded` as its event log, ten seconds apart and starting `ago` ms
 * back. Null when the tests cannot reach the stack's database.
 */
export async function seedThread(page: Page, seeded: SeedEvent[], title: string, ago = 60_000) {
  const db = stackDb();
  if (!db) return null;
  const me = (await pageApi(page, "/me")).body as { id: string };
  const thread = (await pageApi(page, "/threads", { method: "POST", body: { title } })).body as {
    id: string;
  };
  const base = Date.now() - ago;
  const rows: Array<typeof events.$inferInsert> = seeded.map(({ type, data }, i) => ({
    threadId: thread.id,
    userId: me.id,
    seq: i + 1,
    type,
    data,
    at: new Date(base + i * 10_000),
  }));
  try {
    for (let i = 0; i < rows.length; i += 200) await db.insert(events).values(rows.slice(i, i + 200));
    await db.update(threads).set({ lastSeq: rows.length }).where(eq(threads.id, thread.id));
  } finally {
    await db.$client.end();
  }
  return { threadId: thread.id, events: rows.length };
}
