import { createLogger } from "../../../platform/logger";
import { withDatabase } from "../db/open-database";
import type { Env } from "../env";
import { createStripe, meterEventName } from "./stripe-client";
import { reportUsage } from "./usage-reporter";

const log = createLogger({ service: "worker", task: "usage-report" });

/**
 * The cron trigger (`[triggers] crons` in wrangler.toml, every minute): sends unreported token usage to the
 * Stripe meter. Without STRIPE_SECRET_KEY there is nowhere to send it, and the records simply wait.
 */
export async function runScheduledBilling(env: Env): Promise<void> {
  if (!env.STRIPE_SECRET_KEY) return;
  try {
    const result = await withDatabase(env, (db) =>
      reportUsage(db, createStripe(env), { eventName: meterEventName(env), log }),
    );
    if (result.claimed || result.reported || result.rejected || result.stoppedBy) {
      log.info("usage reported", { ...result });
    }
  } catch (error) {
    log.error("usage reporting failed", { error });
  }
}
