import type Anthropic from "@anthropic-ai/sdk";
import { and, desc, eq, lte, sql } from "drizzle-orm";
import { messages } from "../../../schema";
import type { Database } from "../../../schema/db";
import { notReplaced } from "../threads/regeneration.repository";

/** More than any context budget holds; the budget then picks the most recent that fit (context-window.ts). */
const HISTORY_LIMIT = 200;

/**
 * The thread's recent messages, oldest first, as the Messages API takes them, for the turn answering
 * `answering`. Messages queued behind a running turn were stored when they arrived, so they sit before that
 * turn's replies in the log; the model must see the one it answers last and the ones still waiting not at all.
 * Replies replaced by a regenerated turn (and their tool calls and results) are never sent again. A regenerated
 * reply (`regenerated`) answers an older message: it sees the thread up to that message only, so nothing stored
 * after it (the replaced reply, a message sent meanwhile) comes before the message it answers.
 */
export async function loadHistory(
  db: Database,
  threadId: string,
  answering: string,
  waiting: ReadonlySet<string> = new Set(),
  options: { regenerated?: boolean } = {},
): Promise<Anthropic.MessageParam[]> {
  const upToAnswering = options.regenerated
    ? [lte(messages.seq, sql`(select m.seq from ${messages} m where m.id = ${answering})`)]
    : [];
  const rows = await db
    .select({ id: messages.id, role: messages.role, content: messages.content })
    .from(messages)
    .where(and(eq(messages.threadId, threadId), notReplaced, ...upToAnswering))
    .orderBy(desc(messages.seq))
    .limit(HISTORY_LIMIT);
  const ordered = rows.reverse();
  const current = ordered.filter((row) => row.id === answering);
  return [...ordered.filter((row) => row.id !== answering && !waiting.has(row.id)), ...current].map(
    (row) => ({
      role: row.role,
      content: row.content as Anthropic.ContentBlockParam[],
    }),
  );
}
