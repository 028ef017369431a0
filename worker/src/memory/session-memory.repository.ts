import { and, asc, eq, like } from "drizzle-orm";
import { memoryEntries } from "../../../schema";
import type { Database } from "../../../schema/db";

/** L2: notes for one thread (the `session/` paths), kept in Postgres, never committed to git. */
export async function putSessionNote(
  db: Database,
  entry: { userId: string; threadId: string; key: string; content: string },
): Promise<void> {
  await db
    .insert(memoryEntries)
    .values(entry)
    .onConflictDoUpdate({
      target: [memoryEntries.userId, memoryEntries.threadId, memoryEntries.key],
      set: { content: entry.content, updatedAt: new Date() },
    });
}

export async function getSessionNote(
  db: Database,
  userId: string,
  threadId: string,
  key: string,
): Promise<string | null> {
  const [row] = await db
    .select({ content: memoryEntries.content })
    .from(memoryEntries)
    .where(
      and(eq(memoryEntries.userId, userId), eq(memoryEntries.threadId, threadId), eq(memoryEntries.key, key)),
    );
  return row?.content ?? null;
}

export async function listSessionNotes(
  db: Database,
  userId: string,
  threadId: string,
  keyPrefix: string,
): Promise<Array<{ key: string; size: number }>> {
  const escaped = keyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db
    .select({ key: memoryEntries.key, content: memoryEntries.content })
    .from(memoryEntries)
    .where(
      and(
        eq(memoryEntries.userId, userId),
        eq(memoryEntries.threadId, threadId),
        like(memoryEntries.key, `${escaped}%`),
      ),
    )
    .orderBy(asc(memoryEntries.key))
    .limit(500);
  return rows.map((row) => ({ key: row.key, size: row.content.length }));
}
