import { and, asc, eq, getTableColumns, gt, sql } from "drizzle-orm";
import { events, messages, threads } from "../../../schema";
import type { Database } from "../../../schema/db";
import { isNotNullViolation, isUniqueViolation } from "../db/database-errors";
import { splitPage } from "./cursor";
import { replacedBy } from "./regeneration.repository";

export type MessageRow = typeof messages.$inferSelect;
export type EventRow = typeof events.$inferSelect;

export async function listMessages(
  db: Database,
  threadId: string,
  page: { limit: number; afterSeq: number },
): Promise<{ rows: Array<MessageRow & { supersededBy: string | null }>; hasMore: boolean }> {
  const rows = await db
    // A regenerated reply's replaced messages stay, saying which turn replaced them.
    .select({ ...getTableColumns(messages), supersededBy: replacedBy })
    .from(messages)
    .where(and(eq(messages.threadId, threadId), gt(messages.seq, page.afterSeq)))
    .orderBy(asc(messages.seq))
    .limit(page.limit + 1);
  return splitPage(rows, page.limit);
}

export async function listEvents(
  db: Database,
  threadId: string,
  afterSeq: number,
  limit: number,
): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(and(eq(events.threadId, threadId), gt(events.seq, afterSeq)))
    .orderBy(asc(events.seq))
    .limit(limit);
}

/**
 * Appends events with the thread's next seqs in one statement. The UPDATE takes the thread's row lock until
 * commit, so seqs are gapless and commit in seq order: a reader at `seq > n` never skips a late commit.
 * Returns [] when the thread does not exist or is not the user's.
 */
export async function appendEvents(
  db: Database,
  input: { userId: string; threadId: string; events: ReadonlyArray<{ type: string; data: unknown }> },
): Promise<EventRow[]> {
  const count = input.events.length;
  if (count === 0) return [];
  const batch = JSON.stringify(input.events.map((e) => ({ type: e.type, data: e.data ?? {} })));
  const result = await db.execute<{ seq: string | number; type: string; data: unknown; at: string }>(sql`
    with next as (
      update ${threads} set last_seq = last_seq + ${count}
      where id = ${input.threadId} and user_id = ${input.userId}
      returning last_seq
    )
    insert into ${events} (thread_id, seq, user_id, type, data)
    select ${input.threadId}, next.last_seq - ${count} + e.ord, ${input.userId}, e.item->>'type', e.item->'data'
    from next, jsonb_array_elements(${batch}::jsonb) with ordinality as e(item, ord)
    returning seq, type, data, at`);
  return result.rows
    .map((row) => ({
      threadId: input.threadId,
      userId: input.userId,
      seq: Number(row.seq),
      type: row.type,
      data: row.data,
      at: new Date(row.at),
    }))
    .sort((a, b) => a.seq - b.seq);
}

export async function appendEvent(
  db: Database,
  input: { userId: string; threadId: string; type: string; data: unknown },
): Promise<EventRow | undefined> {
  const [row] = await appendEvents(db, {
    userId: input.userId,
    threadId: input.threadId,
    events: [{ type: input.type, data: input.data }],
  });
  return row;
}

/**
 * Writes events whose seqs were given out by the thread's single writer (the user's growAgent actor), and moves
 * `last_seq` up to them. Idempotent: an event already stored is skipped, so a retry after an unknown outcome is
 * safe. Returns false when the thread no longer exists (or is not the user's); nothing is written then.
 */
export async function storeSequencedEvents(
  db: Database,
  input: {
    userId: string;
    threadId: string;
    events: ReadonlyArray<{ seq: number; type: string; data: unknown; at: Date }>;
  },
): Promise<boolean> {
  const maxSeq = Math.max(...input.events.map((e) => e.seq));
  const batch = JSON.stringify(
    input.events.map((e) => ({ seq: e.seq, type: e.type, data: e.data ?? {}, at: e.at.toISOString() })),
  );
  const result = await db.execute<{ owned: string | number }>(sql`
    with owner as (
      update ${threads} set last_seq = greatest(last_seq, ${maxSeq})
      where id = ${input.threadId} and user_id = ${input.userId}
      returning id
    ), stored as (
      insert into ${events} (thread_id, seq, user_id, type, data, at)
      select owner.id, (e.item->>'seq')::bigint, ${input.userId}, e.item->>'type', e.item->'data',
        (e.item->>'at')::timestamptz
      from owner, jsonb_array_elements(${batch}::jsonb) as e(item)
      on conflict do nothing
      returning 1
    )
    select (select count(*) from owner) as owned, (select count(*) from stored) as stored`);
  return Number(result.rows[0]?.owned ?? 0) > 0;
}

/** The thread's last event seq, or undefined when it is not the user's. */
export async function lastEventSeq(
  db: Database,
  userId: string,
  threadId: string,
): Promise<number | undefined> {
  const [row] = await db
    .select({ lastSeq: threads.lastSeq })
    .from(threads)
    .where(and(eq(threads.id, threadId), eq(threads.userId, userId)));
  return row?.lastSeq;
}

/** Same scheme as events, for the message log. */
export async function appendMessage(
  db: Database,
  input: Pick<MessageRow, "userId" | "threadId" | "role" | "content"> &
    Partial<Pick<MessageRow, "status" | "usage" | "idempotencyKey" | "turnId">>,
): Promise<MessageRow | undefined> {
  // One statement, so one round trip instead of a transaction's four (every turn stores two messages or more):
  // the thread's counter is raised and the row takes the new value atomically, and a clash on the idempotency
  // key undoes both. Not the user's thread: no counter row, so `seq` is null and the insert is refused. Raw SQL, so
  // `updated_at` is set here (drizzle's update builder did it through the column's `$onUpdate`).
  const bumped = db.$with("bumped", { seq: sql<number>`seq` }).as(
    sql`update ${threads} set ${sql.identifier(threads.lastMessageSeq.name)} = ${threads.lastMessageSeq} + 1,
          ${sql.identifier(threads.updatedAt.name)} = now()
        where ${and(eq(threads.id, input.threadId), eq(threads.userId, input.userId))}
        returning ${threads.lastMessageSeq} as seq`,
  );
  try {
    const [row] = await db
      .with(bumped)
      .insert(messages)
      .values({ ...input, seq: sql`(select seq from ${bumped})` })
      .returning();
    return row;
  } catch (error) {
    if (isNotNullViolation(error, messages.seq.name)) return undefined;
    throw error;
  }
}

/** The user's message in the thread that was sent with this idempotency key, if any. */
export async function findMessageByIdempotencyKey(
  db: Database,
  input: { userId: string; threadId: string; idempotencyKey: string },
): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.threadId, input.threadId),
        eq(messages.userId, input.userId),
        eq(messages.idempotencyKey, input.idempotencyKey),
      ),
    );
  return row;
}

/**
 * Stores a user's message, once per idempotency key: when another request with the same key got there first
 * (both sent at once), its message is returned, marked `replayed`. Undefined when the thread is not the user's.
 */
export async function appendUserMessage(
  db: Database,
  input: { userId: string; threadId: string; content: unknown; idempotencyKey?: string },
): Promise<{ message: MessageRow; replayed: boolean } | undefined> {
  const { userId, threadId, content, idempotencyKey } = input;
  try {
    const message = await appendMessage(db, { userId, threadId, role: "user", content, idempotencyKey });
    return message && { message, replayed: false };
  } catch (error) {
    if (idempotencyKey === undefined || !isUniqueViolation(error)) throw error;
    const winner = await findMessageByIdempotencyKey(db, { userId, threadId, idempotencyKey });
    if (!winner) throw error;
    return { message: winner, replayed: true };
  }
}
