import type Anthropic from "@anthropic-ai/sdk";
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
