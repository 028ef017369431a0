import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { opencodeSessions } from "../../../schema";
import type { Database } from "../../../schema/db";

export type SessionRow = typeof opencodeSessions.$inferSelect;
const ACTIVE = ["starting", "running"] as const;

/**
 * Records a new sub-agent unless the user already runs `cap` of them; undefined when at the cap. The count and
 * the insert are one statement; callers for one user are serialised by the user's Grow Agent.
 */
export async function createSessionWithinCap(
  db: Database,
  /** Rows older than `staleAfterSeconds` no longer count: a sub-agent past its deadline was lost, not running. */
  input: { userId: string; threadId: string; task: string; cap: number; staleAfterSeconds: number },
): Promise<SessionRow | undefined> {
  const result = await db.execute<{ id: string }>(sql`
    insert into ${opencodeSessions} (id, user_id, thread_id, task, status)
    select ${uuidv7()}, ${input.userId}, ${input.threadId}, ${input.task}, 'starting'
    where (select count(*) from ${opencodeSessions}
           where user_id = ${input.userId} and status in ('starting', 'running')
             and created_at > now() - ${`${input.staleAfterSeconds} seconds`}::interval) < ${input.cap}
    returning id`);
  const id = result.rows[0]?.id;
  return id ? findSession(db, input.userId, id) : undefined;
}

export async function markSessionRunning(
  db: Database,
  userId: string,
  id: string,
  opencodeSessionId: string,
): Promise<void> {
  await db
    .update(opencodeSessions)
    .set({ status: "running", opencodeSessionId, startedAt: sql`now()` })
    .where(and(eq(opencodeSessions.id, id), eq(opencodeSessions.userId, userId)));
}

export async function finishSession(
  db: Database,
  userId: string,
  id: string,
  outcome: { status: "completed" | "failed" | "cancelled"; result?: string; error?: string; costUsd: number },
): Promise<void> {
  await db
    .update(opencodeSessions)
    .set({
      status: outcome.status,
      result: outcome.result ?? null,
      lastError: outcome.error ?? null,
      costUsd: outcome.costUsd,
      completedAt: sql`now()`,
    })
    // Only an unfinished session: a late duplicate report cannot overwrite the first outcome.
    .where(
      and(
        eq(opencodeSessions.id, id),
        eq(opencodeSessions.userId, userId),
        inArray(opencodeSessions.status, ACTIVE),
      ),
    );
}

export async function findSession(db: Database, userId: string, id: string): Promise<SessionRow | undefined> {
  const [row] = await db
    .select()
    .from(opencodeSessions)
    .where(and(eq(opencodeSessions.id, id), eq(opencodeSessions.userId, userId)));
  return row;
}

export async function listSessions(db: Database, userId: string, limit = 50): Promise<SessionRow[]> {
  return db
    .select()
    .from(opencodeSessions)
    .where(eq(opencodeSessions.userId, userId))
    .orderBy(desc(opencodeSessions.createdAt))
    .limit(limit);
}
