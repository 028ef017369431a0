import { and, asc, eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { uuidv7 } from "uuidv7";
import type { Logger } from "../../../platform/logger";
import { usageReports } from "../../../schema";
import type { Database } from "../../../schema/db";
import { billableTokensSql } from "./usage-tokens";

export interface ReportUsageOptions {
  /** `event_name` of the Stripe meter. */
  eventName: string;
  /** Users batched, and batches sent, per run. */
  maxBatches?: number;
  /** Usage records per batch (one meter event). */
  maxRecordsPerBatch?: number;
  now?: () => Date;
  log?: Logger;
}

export interface ReportUsageResult {
  /** Batches made from unreported records in this run. */
  claimed: number;
  /** Batches Stripe accepted (this run's and earlier runs' pending ones). */
  reported: number;
  /** Batches Stripe refused for good (invalid request); logged and not retried. */
  rejected: number;
  /** Stripe unreachable or refusing our key: the run stopped; pending batches wait for the next one. */
  stoppedBy?: string;
}

/** Stripe's meter event identifier for a batch: fixed when the batch is made, so every retry is the same event. */
export const meterIdentifier = (reportId: string) => `growqr-usage-${reportId}`;

/** Stripe takes meter event timestamps up to 35 days old; one day of margin. */
const MAX_AGE_MS = 34 * 24 * 3600 * 1000;

/**
 * Reports model-token usage to the Stripe meter, exactly once per usage record.
 *
 * 1. Claim: per user with a Stripe customer, unreported records and no batch still pending, one statement makes
 *    a `usage_reports` row (the batch, with a new time-ordered id and the token sum) and points the records at
 *    it. A record joins one batch, once; a crash leaves either both or neither.
 * 2. Send: each pending batch becomes one meter event whose `identifier` is derived from the batch id. Only
 *    after Stripe accepts it is the batch marked `reported`. A lost answer, a crash before the mark, or an
 *    overlapping run resend the same identifier, which Stripe (and dev/stripe) count once. While Stripe is
 *    unreachable nothing is marked and the run stops; the next run sends the same batches again.
 */
export async function reportUsage(
  db: Database,
  stripe: Stripe,
  options: ReportUsageOptions,
): Promise<ReportUsageResult> {
  const maxBatches = options.maxBatches ?? 100;
  const result: ReportUsageResult = { claimed: 0, reported: 0, rejected: 0 };
  result.claimed = await claimBatches(db, maxBatches, options.maxRecordsPerBatch ?? 1_000);

  const pending = await db
    .select()
    .from(usageReports)
    .where(eq(usageReports.status, "pending"))
    .orderBy(asc(usageReports.id))
    .limit(maxBatches);
  for (const report of pending) {
    const outcome = await send(stripe, report, options);
    if (outcome === "accepted") {
      await db
        .update(usageReports)
        .set({ status: "reported", reportedAt: new Date(), attempts: sql`${usageReports.attempts} + 1` })
        .where(and(eq(usageReports.id, report.id), eq(usageReports.status, "pending")));
      result.reported += 1;
      continue;
    }
    await db
      .update(usageReports)
      .set({
        ...(outcome.final ? { status: "rejected" as const } : {}),
        attempts: sql`${usageReports.attempts} + 1`,
        lastError: outcome.error.slice(0, 500),
      })
      .where(and(eq(usageReports.id, report.id), eq(usageReports.status, "pending")));
    if (outcome.final) {
      options.log?.error("usage report rejected by Stripe", { reportId: report.id, error: outcome.error });
      result.rejected += 1;
      continue;
    }
    options.log?.warn("usage reporting paused: Stripe unavailable", {
      reportId: report.id,
      error: outcome.error,
    });
    result.stoppedBy = outcome.error;
    break;
  }
  return result;
}

async function claimBatches(db: Database, maxBatches: number, maxRecords: number): Promise<number> {
  const due = await db.execute<{ user_id: string; stripe_customer_id: string }>(sql`
    select b.user_id, b.stripe_customer_id from billing_customers b
    where exists (select 1 from usage_records r where r.user_id = b.user_id and r.report_id is null)
      and not exists (select 1 from usage_reports p where p.user_id = b.user_id and p.status = 'pending')
    order by (select min(r.recorded_at) from usage_records r where r.user_id = b.user_id and r.report_id is null)
    limit ${maxBatches}
  `);
  let claimed = 0;
  for (const { user_id: userId, stripe_customer_id: customerId } of due.rows) {
    const reportId = uuidv7();
    // One statement: the batch row and its records' report_id appear together or not at all. SKIP LOCKED lets
    // an overlapping run take other records instead of waiting for (and double-claiming) these.
    const result = await db.execute(sql`
      with picked as (
        select r.id, r.recorded_at, ${billableTokensSql("r")} as tokens from usage_records r
        where r.user_id = ${userId} and r.report_id is null
        order by r.id limit ${maxRecords}
        for update skip locked
      ), report as (
        insert into usage_reports (id, user_id, stripe_customer_id, tokens, records, usage_at)
        select ${reportId}, ${userId}, ${customerId}, coalesce(sum(tokens), 0), count(*), max(recorded_at)
        from picked having count(*) > 0
        returning id
      )
      update usage_records set report_id = (select id from report)
      where id in (select id from picked) and exists (select 1 from report)
    `);
    if ((result.rowCount ?? 0) > 0) claimed += 1;
  }
  return claimed;
}

type SendOutcome = "accepted" | { final: boolean; error: string };

async function send(
  stripe: Stripe,
  report: typeof usageReports.$inferSelect,
  options: ReportUsageOptions,
): Promise<SendOutcome> {
  // Nothing billable (zero-token records): nothing to tell Stripe.
  if (report.tokens <= 0) return "accepted";
  const now = (options.now ?? (() => new Date()))().getTime();
  const at = Math.min(Math.max(report.usageAt.getTime(), now - MAX_AGE_MS), now);
  try {
    await stripe.billing.meterEvents.create({
      event_name: options.eventName,
      payload: { stripe_customer_id: report.stripeCustomerId, value: String(report.tokens) },
      identifier: meterIdentifier(report.id),
      timestamp: Math.floor(at / 1000),
    });
    return "accepted";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Already recorded under this identifier: the earlier attempt got through.
    if (isDuplicateIdentifier(error)) return "accepted";
    if (error instanceof Stripe.errors.StripeInvalidRequestError) return { final: true, error: message };
    return { final: false, error: message };
  }
}

function isDuplicateIdentifier(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  return (
    /duplicate|already_exists/i.test(error.code ?? "") ||
    (/identifier/i.test(error.message) && /already|duplicate/i.test(error.message))
  );
}
