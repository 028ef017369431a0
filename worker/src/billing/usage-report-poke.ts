import type { Env } from "../env";

/**
 * After usage is recorded: makes sure a report runs soon. Never throws (the usage is stored; the daily cron is
 * the safety net for a poke that was lost).
 */
export async function pokeUsageReports(env: Env): Promise<void> {
  if (!env.STRIPE_SECRET_KEY || !env.USAGE_REPORTS) return;
  try {
    await env.USAGE_REPORTS.get(env.USAGE_REPORTS.idFromName("usage-reports")).poke();
  } catch {
    // Reported by the next poke or the daily cron.
  }
}
