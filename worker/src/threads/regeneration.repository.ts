import { and, eq, sql } from "drizzle-orm";
import { turnRegenerations } from "../../../schema";
import type { Database } from "../../../schema/db";

export interface LastTurn {
  turnId: string;
  /** The user message it answered. */
  messageId: string;
}

/**
 * The thread's last reply, if it is the answer to the thread's last user message: the newest `turn.started` with no
 * `message.user` after it. `undefined` when there is none (nothing answered yet, or a newer message never got a
 * turn) or the thread is not the user's. A turn already replaced never counts: its replacement is newer.
 */
export async function findLastTurn(
  db: Database,
  userId: string,
  threadId: string,
): Promise<LastTurn | undefined> {
  const result = await db.execute<{ type: string; turn_id: string | null; message_id: string | null }>(sql`
    select type, data->>'turnId' as turn_id, data->>'messageId' as message_id from events
    where thread_id = ${threadId} and user_id = ${userId} and type in ('turn.started', 'message.user')
    order by seq desc limit 1`);
  const row = result.rows[0];
  if (row?.type !== "turn.started" || !row.turn_id || !row.message_id) return undefined;
  const [replaced] = await db
    .select({ turnId: turnRegenerations.turnId })
    .from(turnRegenerations)
    .where(
      and(eq(turnRegenerations.threadId, threadId), eq(turnRegenerations.supersededTurnId, row.turn_id)),
    );
  return replaced ? undefined : { turnId: row.turn_id, messageId: row.message_id };
}

export interface Regeneration {
  supersededTurnId: string;
  turnId: string;
  messageId: string;
}

/** The regeneration a retried request with this key already started, in the user's thread. */
export async function findRegeneration(
  db: Database,
  input: { userId: string; threadId: string; idempotencyKey: string },
): Promise<Regeneration | undefined> {
  const [row] = await db
    .select({
      supersededTurnId: turnRegenerations.supersededTurnId,
      turnId: turnRegenerations.turnId,
      messageId: turnRegenerations.messageId,
    })
    .from(turnRegenerations)
    .where(
      and(
        eq(turnRegenerations.threadId, input.threadId),
        eq(turnRegenerations.userId, input.userId),
        eq(turnRegenerations.idempotencyKey, input.idempotencyKey),
      ),
    );
  return row;
}

/**
 * Records that `turnId` replaces `supersededTurnId`. Nothing else is written: every message a turn stores carries its
 * turn id, and histories leave out the messages of replaced turns when they are read (`notReplaced`), so a message
 * the old turn stores later (a late write, the partial text recovery saves) stays out too. Any other earlier turn
 * that answered the same message is replaced with it: one left unreplaced when a regenerated turn was cut after
 * its start was logged and before it recorded its replacement (turn-runner.ts). False when the turn was already
 * replaced (the row exists).
 */
export async function supersedeTurn(
  db: Database,
  input: Regeneration & { userId: string; threadId: string; idempotencyKey?: string },
): Promise<boolean> {
  const { threadId, userId, turnId, messageId } = input;
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(turnRegenerations)
      .values({
        threadId,
        userId,
        supersededTurnId: input.supersededTurnId,
        turnId,
        messageId,
        idempotencyKey: input.idempotencyKey ?? null,
      })
      .onConflictDoNothing()
      .returning({ turnId: turnRegenerations.turnId });
    if (inserted.length === 0) return false;
    await tx.execute(sql`
      insert into turn_regenerations (thread_id, user_id, superseded_turn_id, turn_id, message_id)
      select thread_id, user_id, (data->>'turnId')::uuid, ${turnId}, ${messageId} from events
      where thread_id = ${threadId} and user_id = ${userId} and type = 'turn.started'
        and data->>'messageId' = ${messageId} and data->>'turnId' not in (${turnId}, ${input.supersededTurnId})
      on conflict do nothing`);
    return true;
  });
}

// Spelled out: in a select list drizzle leaves columns unqualified, and `turn_id` would then be the row's own.
const replacementOf = sql.raw(`from turn_regenerations r
  where r.thread_id = messages.thread_id and r.superseded_turn_id = messages.turn_id`);

/** The condition on `messages` that leaves out the messages of turns a regenerated reply replaced. */
export const notReplaced = sql`not exists (select 1 ${replacementOf})`;

/** The turn that replaced the message's turn, as a column of a query on `messages` (null if none). */
export const replacedBy = sql<string | null>`(select r.turn_id ${replacementOf})`;
