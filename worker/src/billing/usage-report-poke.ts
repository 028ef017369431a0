import type { Env } from "../env";

/** A report reads usage when its alarm runs: usage written this long before the alarm is surely in it. */
const MARGIN_MS = 5_000;

/** When the report this isolate last heard of runs; until shortly before then, a poke would change nothing. */
let pendingReportAt = 0;

/**
 * After usage is recorded: makes sure a report runs soon. A poke while a known report is still ahead is skipped,
 * so a busy isolate calls the object about once a minute, not once per turn. Never throws (the usage is stored;
 * the daily cron is the safety net for a poke that was lost).
 */
export async function pokeUsageReports(env: Env, now = Date.now()): Promise<void> {
  if (!env.STRIPE_SECRET_KEY || !env.USAGE_REPORTS) return;
  if (now < pendingReportAt - MARGIN_MS) return;
  try {
    pendingReportAt = await env.USAGE_REPORTS.get(env.USAGE_REPORTS.idFromName("usage-reports")).poke();
  } catch {
    // Reported by the next poke or the daily cron.
  }
}
