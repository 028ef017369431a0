import { createLogger } from "../../../platform/logger";
import { withDatabase } from "../db/open-database";
import type { Env } from "../env";
import { createStripe, meterEventName } from "./stripe-client";
import { type ReportUsageResult, reportUsage } from "./usage-reporter";

const log = createLogger({ service: "worker", task: "usage-report" });

/** Batches one run makes at most (`reportUsage`'s `maxBatches`). */
const BATCHES_PER_RUN = 100;

/**
 * Sends unreported token usage to the Stripe meter: from the usage-reports alarm (usage-reports.do.ts) a minute
 * after usage is written, and from the daily cron (`[triggers] crons` in wrangler.toml), the safety net. Without
 * STRIPE_SECRET_KEY there is nowhere to send it, and the records simply wait. Undefined: nothing ran (no key, or
 * the run failed, logged).
 */
export async function runScheduledBilling(env: Env): Promise<ReportUsageResult | undefined> {
  if (!env.STRIPE_SECRET_KEY) return undefined;
  try {
    // Up to 100 batches of a few queries each: one WebSocket, not a subrequest per query (decision 0012).
    const result = await withDatabase(
      env,
      (db) =>
        reportUsage(db, createStripe(env), {
          eventName: meterEventName(env),
          log,
          maxBatches: BATCHES_PER_RUN,
        }),
      { queriesOver: "websocket" },
    );
    if (result.claimed || result.reported || result.rejected || result.stoppedBy) {
      log.info("usage reported", { ...result });
    }
    return result;
  } catch (error) {
    log.error("usage reporting failed", { error });
    return { claimed: 0, reported: 0, rejected: 0, stoppedBy: "error" };
  }
}

/** A run that left work behind: Stripe or the database was down, or there were more batches than one run makes. */
export const needsAnotherRun = (result: ReportUsageResult) =>
  result.stoppedBy !== undefined || result.claimed >= BATCHES_PER_RUN;
