import type Anthropic from "@anthropic-ai/sdk";
import { sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { usageRecords } from "../../../schema";
import type { Database } from "../../../schema/db";

/** The token counts of one model call, as the Messages API reports them (OpenCode's are mapped to this). */
export type TokenUsage = Pick<Anthropic.Usage, "input_tokens" | "output_tokens"> &
  Partial<Pick<Anthropic.Usage, "cache_read_input_tokens" | "cache_creation_input_tokens">>;

/** One row per model call; the turn key makes a retried write a no-op, so tokens are never counted twice. */
export async function recordUsage(
  db: Database,
  entry: { userId: string; threadId: string | null; turnKey: string; model: string; usage: TokenUsage },
): Promise<void> {
  await db
    .insert(usageRecords)
    .values({
      userId: entry.userId,
      threadId: entry.threadId,
      turnKey: entry.turnKey,
      model: entry.model,
      inputTokens: entry.usage.input_tokens,
      outputTokens: entry.usage.output_tokens,
      cacheReadTokens: entry.usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: entry.usage.cache_creation_input_tokens ?? 0,
    })
    .onConflictDoNothing({ target: usageRecords.turnKey });
}

/** The row key of what a call used after its row was already claimed by the Stripe usage reporter. */
export const lateTurnKey = (turnKey: string) => `${turnKey}:late`;

/**
 * Records a model call whose counts grow while it runs (the gateway writes at `message_start`, then again at the
 * end): the first write inserts, later ones raise the counts (`greatest`, so a retried or out-of-order write is
 * a no-op). A row the usage reporter has already claimed for a Stripe batch is never changed (the batch's sum is
 * fixed); what the call used beyond it goes into one `…:late` row instead, computed against the claimed row, so
 * repeating the write adds nothing.
 */
export async function recordGrowingUsage(
  db: Database,
  entry: { userId: string; turnKey: string; model: string; usage: TokenUsage },
): Promise<void> {
  const tokens = {
    input: entry.usage.input_tokens,
    output: entry.usage.output_tokens,
    cacheRead: entry.usage.cache_read_input_tokens ?? 0,
    cacheWrite: entry.usage.cache_creation_input_tokens ?? 0,
  };
  const written = await db
    .insert(usageRecords)
    .values({
      userId: entry.userId,
      threadId: null,
      turnKey: entry.turnKey,
      model: entry.model,
      inputTokens: tokens.input,
      outputTokens: tokens.output,
      cacheReadTokens: tokens.cacheRead,
      cacheWriteTokens: tokens.cacheWrite,
    })
    .onConflictDoUpdate({
      target: usageRecords.turnKey,
      set: {
        inputTokens: sql.raw("greatest(usage_records.input_tokens, excluded.input_tokens)"),
        outputTokens: sql.raw("greatest(usage_records.output_tokens, excluded.output_tokens)"),
        cacheReadTokens: sql.raw("greatest(usage_records.cache_read_tokens, excluded.cache_read_tokens)"),
        cacheWriteTokens: sql.raw("greatest(usage_records.cache_write_tokens, excluded.cache_write_tokens)"),
      },
      setWhere: sql.raw("usage_records.report_id is null"),
    })
    .returning({ id: usageRecords.id });
  if (written.length > 0) return;
  // Claimed (report_id is set, and never unset): its counts no longer change, so the difference is stable.
  await db.execute(sql`
    insert into usage_records (id, user_id, thread_id, turn_key, model, input_tokens, output_tokens,
                               cache_read_tokens, cache_write_tokens)
    select ${uuidv7()}::uuid, r.user_id, r.thread_id, ${lateTurnKey(entry.turnKey)}, r.model,
           greatest(${tokens.input}::int - r.input_tokens, 0), greatest(${tokens.output}::int - r.output_tokens, 0),
           greatest(${tokens.cacheRead}::int - r.cache_read_tokens, 0),
           greatest(${tokens.cacheWrite}::int - r.cache_write_tokens, 0)
    from usage_records r where r.turn_key = ${entry.turnKey}
    on conflict (turn_key) do update set
      input_tokens = greatest(usage_records.input_tokens, excluded.input_tokens),
      output_tokens = greatest(usage_records.output_tokens, excluded.output_tokens),
      cache_read_tokens = greatest(usage_records.cache_read_tokens, excluded.cache_read_tokens),
      cache_write_tokens = greatest(usage_records.cache_write_tokens, excluded.cache_write_tokens)
      where usage_records.report_id is null
  `);
}
