import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { needsAnotherRun, runScheduledBilling } from "./scheduled";

/** Reports are sent this long after the first usage written since the last run (env override for tests). */
const DEFAULT_DELAY_SECONDS = 60;

const delayMs = (env: Env) => {
  const seconds = Number(env.USAGE_REPORT_DELAY_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_DELAY_SECONDS) * 1_000;
};

/**
 * One object for the whole app ("usage-reports"): sends model-token usage to the Stripe meter a minute after usage
 * is written, from its alarm, and only then. It replaced an every-minute cron that queried Postgres whether or not
 * anyone had used anything, which kept Neon's compute from ever scaling to zero. Writers poke it
 * (`pokeUsageReports`); every usage written before the alarm fires goes in that run, and a run that leaves work
 * (Stripe down, more batches than one run sends) sets the next alarm itself. Otherwise it stays silent.
 */
export class UsageReports extends DurableObject<Env> {
  /** Returns when the pending report runs (epoch ms): usage written well before then is in it. */
  async poke(): Promise<number> {
    const pending = await this.ctx.storage.getAlarm();
    if (pending !== null) return pending;
    const at = Date.now() + delayMs(this.env);
    await this.ctx.storage.setAlarm(at);
    return at;
  }

  override async alarm(): Promise<void> {
    const result = await runScheduledBilling(this.env);
    if (result && needsAnotherRun(result)) await this.ctx.storage.setAlarm(Date.now() + delayMs(this.env));
  }
}
