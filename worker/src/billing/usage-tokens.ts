import { type SQL, sql } from "drizzle-orm";

/**
 * The tokens a model call counts against the allowance and reports to the Stripe meter: input, output and
 * prompt-cache writes. Cache reads (the same prompt prefix again, at a tenth of the price) do not count.
 * The one definition both `entitlements` and the usage reporter use, so what users see is what they are billed.
 */
export const billableTokensSql = (alias: string): SQL =>
  sql.raw(`(${alias}.input_tokens + ${alias}.output_tokens + ${alias}.cache_write_tokens)`);

export const billableTokens = (usage: {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
}) => usage.inputTokens + usage.outputTokens + usage.cacheWriteTokens;
