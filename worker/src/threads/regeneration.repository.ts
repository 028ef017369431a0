import { and, eq, inArray, sql } from "drizzle-orm";
import { messages, turnRegenerations } from "../../../schema";
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
 * Records that `turnId` replaces `supersededTurnId` and marks the old turn's messages (its assistant messages, as
 * its `message.assistant` events name them, and the tool results answering their tool calls) so no later history
 * sends them to the model. One transaction: a replaced turn is either wholly hidden or not at all. False when the
 * turn was already replaced (the row exists).
 */
export async function supersedeTurn(
  db: Database,
  input: Regeneration & { userId: string; threadId: string; idempotencyKey?: string },
): Promise<boolean> {
  const { userId, threadId } = input;
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(turnRegenerations)
      .values({
        threadId,
        userId,
        supersededTurnId: input.supersededTurnId,
        turnId: input.turnId,
        messageId: input.messageId,
        idempotencyKey: input.idempotencyKey ?? null,
      })
      .onConflictDoNothing()
      .returning({ turnId: turnRegenerations.turnId });
    if (inserted.length === 0) return false;
    const announced = await tx.execute<{ message_id: string }>(sql`
      select data->>'messageId' as message_id from events
      where thread_id = ${threadId} and user_id = ${userId} and type = 'message.assistant'
        and data->>'turnId' = ${input.supersededTurnId}`);
    const ids = announced.rows.map((row) => row.message_id);
    if (ids.length === 0) return true;
    const replies = await tx
      .select({ id: messages.id, seq: messages.seq, content: messages.content })
      .from(messages)
      .where(and(eq(messages.threadId, threadId), inArray(messages.id, ids)));
    const calls = new Set(replies.flatMap((reply) => toolUseIds(reply.content)));
    const firstSeq = Math.min(...replies.map((reply) => reply.seq));
    const results =
      calls.size === 0
        ? []
        : (
            await tx
              .select({ id: messages.id, content: messages.content })
              .from(messages)
              .where(
                and(
                  eq(messages.threadId, threadId),
                  eq(messages.role, "user"),
                  sql`${messages.seq} > ${firstSeq}`,
                ),
              )
          ).filter((row) => answersOnly(row.content, calls));
    await tx
      .update(messages)
      .set({ supersededBy: input.turnId })
      .where(
        and(
          eq(messages.threadId, threadId),
          inArray(messages.id, [...replies.map((reply) => reply.id), ...results.map((row) => row.id)]),
        ),
      );
    return true;
  });
}

type Block = { type?: unknown; id?: unknown; tool_use_id?: unknown };
const blocks = (content: unknown): Block[] => (Array.isArray(content) ? (content as Block[]) : []);

const toolUseIds = (content: unknown): string[] =>
  blocks(content).flatMap((b) => (b.type === "tool_use" && typeof b.id === "string" ? [b.id] : []));

/** A stored tool-result message (role user) whose every block answers one of `calls`. */
const answersOnly = (content: unknown, calls: ReadonlySet<string>): boolean =>
  blocks(content).length > 0 &&
  blocks(content).every((b) => b.type === "tool_result" && calls.has(String(b.tool_use_id)));
