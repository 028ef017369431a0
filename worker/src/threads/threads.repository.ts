import { and, desc, eq, lt } from "drizzle-orm";
import { threads } from "../../../schema";
import type { Database } from "../../../schema/db";
import { splitPage } from "./cursor";

export type ThreadRow = typeof threads.$inferSelect;

/** Every query here is scoped by the owner: another user's thread is indistinguishable from a missing one. */
export const ownedBy = (userId: string, threadId: string) =>
  and(eq(threads.id, threadId), eq(threads.userId, userId));

export async function createThread(db: Database, userId: string, title: string): Promise<ThreadRow> {
  const [row] = await db.insert(threads).values({ userId, title }).returning();
  if (!row) throw new Error("thread insert returned no row");
  return row;
}

export async function findThread(
  db: Database,
  userId: string,
  threadId: string,
): Promise<ThreadRow | undefined> {
  const [row] = await db.select().from(threads).where(ownedBy(userId, threadId));
  return row;
}

/** Newest first. Ids are UUIDv7, so id order is creation order and the last id is the cursor. */
export async function listThreads(
  db: Database,
  userId: string,
  page: { limit: number; beforeId?: string },
): Promise<{ rows: ThreadRow[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(threads)
    .where(
      page.beforeId
        ? and(eq(threads.userId, userId), lt(threads.id, page.beforeId))
        : eq(threads.userId, userId),
    )
    .orderBy(desc(threads.id))
    .limit(page.limit + 1);
  return splitPage(rows, page.limit);
}

export async function renameThread(
  db: Database,
  userId: string,
  threadId: string,
  title: string,
): Promise<ThreadRow | undefined> {
  const [row] = await db.update(threads).set({ title }).where(ownedBy(userId, threadId)).returning();
  return row;
}

/** Messages and events go with the thread (ON DELETE CASCADE); usage records stay for billing. */
export async function deleteThread(db: Database, userId: string, threadId: string): Promise<boolean> {
  const deleted = await db.delete(threads).where(ownedBy(userId, threadId)).returning({ id: threads.id });
  return deleted.length > 0;
}
