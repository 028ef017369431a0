import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { memoryVersions } from "../../../schema";
import type { Database } from "../../../schema/db";

/*
 * L2's file layer and the durable copy of the user's repository: the versions `markWriteDone` stores as each write
 * is delivered (memory-outbox-drain.repository.ts). Reads here never wake the user's Gitea machine.
 */

export interface MemoryVersion {
  id: string;
  path: string;
  content: string;
  message: string;
  committedAt: Date;
}

/** The newest committed content of `path`: what git holds there, unless the file was never written through us. */
export async function latestVersion(db: Database, userId: string, path: string): Promise<string | null> {
  const [row] = await db
    .select({ content: memoryVersions.content })
    .from(memoryVersions)
    .where(and(eq(memoryVersions.userId, userId), eq(memoryVersions.path, path)))
    .orderBy(desc(memoryVersions.id))
    .limit(1);
  return row?.content ?? null;
}

/** Each path under `prefix` ("" = all) with the size of its newest version, for listings. */
export async function latestVersionsUnder(
  db: Database,
  userId: string,
  prefix: string,
  limit = 1_000,
): Promise<Array<{ path: string; size: number }>> {
  return db
    .selectDistinctOn([memoryVersions.path], {
      path: memoryVersions.path,
      size: sql<number>`octet_length(${memoryVersions.content})`.mapWith(Number),
    })
    .from(memoryVersions)
    .where(and(eq(memoryVersions.userId, userId), sql`starts_with(${memoryVersions.path}, ${prefix})`))
    .orderBy(memoryVersions.path, desc(memoryVersions.id))
    .limit(limit);
}

/** Versions in commit order after `afterId` ('' = from the first): a restore's next batch. */
export async function versionsAfter(
  db: Database,
  userId: string,
  afterId: string,
  limit = 100,
): Promise<MemoryVersion[]> {
  const after = afterId === "" ? undefined : gt(memoryVersions.id, afterId);
  return db
    .select({
      id: memoryVersions.id,
      path: memoryVersions.path,
      content: memoryVersions.content,
      message: memoryVersions.message,
      committedAt: memoryVersions.committedAt,
    })
    .from(memoryVersions)
    .where(and(eq(memoryVersions.userId, userId), after))
    .orderBy(asc(memoryVersions.id))
    .limit(limit);
}
