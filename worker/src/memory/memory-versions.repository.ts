import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { memoryVersions, outbox } from "../../../schema";
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

/** One committed version with what its history entry needs: who made it is read off the write it came from. */
export interface CommittedVersion {
  id: string;
  commitSha: string;
  message: string;
  committedAt: Date;
  /** The thread whose Grow Agent wrote it (its `commit_memory` tool); null for the user's own writes. */
  threadId: string | null;
}

const committedColumns = {
  id: memoryVersions.id,
  commitSha: memoryVersions.commitSha,
  message: memoryVersions.message,
  committedAt: memoryVersions.committedAt,
  // A delivered outbox row keeps its payload but the content, so the thread that asked for the write stays.
  threadId: sql<string | null>`${outbox.payload}->>'threadId'`,
};

/** The versions of `path`, newest first (a write that changed nothing repeats its predecessor's commit). */
export async function versionsOf(
  db: Database,
  userId: string,
  path: string,
  limit = 100,
): Promise<CommittedVersion[]> {
  return db
    .select(committedColumns)
    .from(memoryVersions)
    .leftJoin(outbox, eq(outbox.id, memoryVersions.writeId))
    .where(and(eq(memoryVersions.userId, userId), eq(memoryVersions.path, path)))
    .orderBy(desc(memoryVersions.id))
    .limit(limit);
}

/**
 * The version of `path` committed as `commitSha` (its first row: later ones with the same commit changed nothing)
 * and the content just before it (null: the commit created the file). Null when the user has no such commit.
 */
export async function versionAt(
  db: Database,
  userId: string,
  path: string,
  commitSha: string,
): Promise<(CommittedVersion & { content: string; previous: string | null }) | null> {
  const ofPath = and(eq(memoryVersions.userId, userId), eq(memoryVersions.path, path));
  const [row] = await db
    .select({ ...committedColumns, content: memoryVersions.content })
    .from(memoryVersions)
    .leftJoin(outbox, eq(outbox.id, memoryVersions.writeId))
    .where(and(ofPath, eq(memoryVersions.commitSha, commitSha)))
    .orderBy(asc(memoryVersions.id))
    .limit(1);
  if (!row) return null;
  const [before] = await db
    .select({ content: memoryVersions.content })
    .from(memoryVersions)
    .where(and(ofPath, lt(memoryVersions.id, row.id)))
    .orderBy(desc(memoryVersions.id))
    .limit(1);
  return { ...row, previous: before?.content ?? null };
}
