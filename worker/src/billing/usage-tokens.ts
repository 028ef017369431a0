import { type SQL, sql } from "drizzle-orm";

/**
 * The tokens a model call counts against the allowance and reports to the Stripe meter: input, output,
 * prompt-cache writes, and a tenth of the cache reads (rounded up per call), which is what Anthropic charges for
 * them (0.1× input). Cache reads must count: the sandbox writes its own prompts, so a free read would let it
 * cache a 190k-token prompt once and re-read it at the request rate for nothing.
 * The one definition both `entitlements` and the usage reporter use, so what users see is what they are billed.
 */
export const CACHE_READ_DIVISOR = 10;

/** Integer columns: `(n + 9) / 10` is Postgres integer division, i.e. ceil(n / 10) for n ≥ 0. */
export const billableTokensSql = (alias: string): SQL =>
  sql.raw(
    `(${alias}.input_tokens + ${alias}.output_tokens + ${alias}.cache_write_tokens + (${alias}.cache_read_tokens + ${CACHE_READ_DIVISOR - 1}) / ${CACHE_READ_DIVISOR})`,
  );
