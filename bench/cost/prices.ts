/**
 * List prices the cost model uses, each with where it was read and when. Read on 2026-12-05 with the session's
 * search tool (stored copies of the pages, not a live browser): where a page could not be found the entry says so
 * and `assumed` is set. docs/cost.md lists the same table.
 */

export const READ_ON = "2026-12-05";

export interface Price {
  value: number;
  unit: string;
  source: string;
  /** Set when the figure is not a list price read from the source (derived, or an assumption). */
  assumed?: string;
}

const price = (value: number, unit: string, source: string, assumed?: string): Price =>
  assumed ? { value, unit, source, assumed } : { value, unit, source };

const CF_WORKERS = "https://developers.cloudflare.com/workers/platform/pricing/";
const CF_DO = "https://developers.cloudflare.com/durable-objects/platform/pricing";
const NEON = "https://neon.com/faqs/serverless-database-services-postgres-charge-per-second";
const FLY_COSTS = "https://fly.io/docs/about/cost-management/";
const FLY_ROOTFS =
  "https://community.fly.io/t/we-are-going-to-start-collecting-charges-for-stopped-machines-rootfs-starting-april-25th/17825";
const FLY_VOLUMES = "https://fly.io/docs/about/pricing/ (Persistent Storage Volumes, via superfly/docs#2259)";
const CLAUDE = "https://platform.claude.com/docs/en/models/sonnet-5-5/overview";
const STRIPE = "https://stripe.com/pricing (read via third-party copies: paymentgods.com, launch27 docs)";

export const PRICES = {
  workers: {
    baseMonthly: price(5, "$ / account-month (Workers Paid)", CF_WORKERS),
    includedRequests: price(10_000_000, "requests / month included", CF_WORKERS),
    perMillionRequests: price(0.3, "$ / million requests", CF_WORKERS),
    includedCpuMs: price(30_000_000, "CPU ms / month included", CF_WORKERS),
    perMillionCpuMs: price(0.02, "$ / million CPU ms", CF_WORKERS),
  },
  durableObjects: {
    includedRequests: price(1_000_000, "requests / month included", CF_DO),
    perMillionRequests: price(0.15, "$ / million requests (WebSocket messages in at 20:1)", CF_DO),
    includedGbSeconds: price(400_000, "GB-s / month included", CF_DO),
    perMillionGbSeconds: price(12.5, "$ / million GB-s", CF_DO),
    includedRowsWritten: price(50_000_000, "SQLite rows written / month included", CF_DO, "D1's rates"),
    perMillionRowsWritten: price(1, "$ / million SQLite rows written", CF_DO, "D1's rates"),
    includedStorageGb: price(5, "GB-month SQLite storage included", CF_DO, "D1's rates"),
    perGbMonth: price(0.2, "$ / GB-month SQLite storage", CF_DO, "D1's rates"),
  },
  neon: {
    perCuHour: price(0.106, "$ / CU-hour (Launch plan)", NEON),
    perGbMonth: price(0.35, "$ / GB-month storage", NEON),
    minCu: price(0.25, "CU, smallest compute", NEON),
  },
  fly: {
    opencodeRunningMonthly: price(
      6.79,
      "$ / month running, shared-cpu-1x 1 GB (sjc)",
      FLY_COSTS,
      "derived: three 1 GB machines $20.37 / month",
    ),
    giteaRunningMonthly: price(
      3.81,
      "$ / month running, shared-cpu-1x 512 MB (sjc)",
      FLY_COSTS,
      "derived: 3–5 machines at 50% $5.72–9.52",
    ),
    suspendedPerGbMonth: price(
      0.15,
      "$ / GB-month of a suspended machine's rootfs + memory snapshot",
      FLY_ROOTFS,
      "the stopped-machine rootfs rate; no separate suspended price found",
    ),
    volumePerGbMonth: price(0.15, "$ / GB-month provisioned volume", FLY_VOLUMES),
  },
  claude: {
    input: price(2, "$ / MTok input", CLAUDE, "model id claude-sonnet-5-5 priced as Claude Sonnet 5.5"),
    output: price(10, "$ / MTok output", CLAUDE),
    cacheWrite: price(2.5, "$ / MTok 5-minute cache write", CLAUDE),
    cacheRead: price(0.2, "$ / MTok cache read", CLAUDE),
  },
  stripe: {
    percent: price(0.029, "share of each card charge", STRIPE),
    fixed: price(0.3, "$ per card charge", STRIPE),
  },
} as const;

export type Prices = typeof PRICES;
