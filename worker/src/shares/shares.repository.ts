import { and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { threadShares, threads } from "../../../schema";
import type { Database } from "../../../schema/db";

export type ShareRow = typeof threadShares.$inferSelect;

/**
 * A new link, unless the thread has `max` already (undefined then). The thread's row is locked while counting,
 * so concurrent requests cannot pass the cap together. The caller already owns the thread (the route checked);
 * the owner is stored to scope every later query.
 */
export async function createShare(
  db: Database,
  share: { userId: string; threadId: string; tokenHash: string; expiresAt: Date | null },
  max: number,
): Promise<ShareRow | undefined> {
  return db.transaction(async (tx) => {
    await tx
      .select({ id: threads.id })
      .from(threads)
      .where(and(eq(threads.id, share.threadId), eq(threads.userId, share.userId)))
      .for("update");
    const [counted] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(threadShares)
      .where(eq(threadShares.threadId, share.threadId));
    if ((counted?.n ?? 0) >= max) return undefined;
    const [row] = await tx.insert(threadShares).values(share).returning();
    if (!row) throw new Error("share insert returned no row");
    return row;
  });
}

/** Newest first; revoked and expired links stay listed, so the owner sees what happened to them. */
export async function listShares(
  db: Database,
  userId: string,
  threadId: string,
  limit: number,
): Promise<ShareRow[]> {
  return db
    .select()
    .from(threadShares)
    .where(and(eq(threadShares.userId, userId), eq(threadShares.threadId, threadId)))
    .orderBy(desc(threadShares.id))
    .limit(limit);
}

/** Sets `revoked_at` once (a second revoke keeps the first time); undefined when the link is not the caller's. */
export async function revokeShare(
  db: Database,
  userId: string,
  threadId: string,
  shareId: string,
): Promise<ShareRow | undefined> {
  const [row] = await db
    .update(threadShares)
    .set({ revokedAt: sql`coalesce(${threadShares.revokedAt}, now())` })
    .where(
      and(eq(threadShares.id, shareId), eq(threadShares.userId, userId), eq(threadShares.threadId, threadId)),
    )
    .returning();
  return row;
}

/** A link that works now (not revoked, not expired), with its thread; one indexed query on the token's hash. */
export async function findLiveShare(db: Database, tokenHash: string) {
  const [row] = await db
    .select({
      shareId: threadShares.id,
      ownerId: threadShares.userId,
      expiresAt: threadShares.expiresAt,
      thread: {
        id: threads.id,
        title: threads.title,
        lastSeq: threads.lastSeq,
        createdAt: threads.createdAt,
      },
    })
    .from(threadShares)
    .innerJoin(threads, eq(threads.id, threadShares.threadId))
    .where(
      and(
        eq(threadShares.tokenHash, tokenHash),
        isNull(threadShares.revokedAt),
        or(isNull(threadShares.expiresAt), gt(threadShares.expiresAt, sql`now()`)),
      ),
    );
  return row;
}

export type LiveShare = NonNullable<Awaited<ReturnType<typeof findLiveShare>>>;
