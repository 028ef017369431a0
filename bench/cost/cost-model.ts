/**
 * The cost model, pure: what a registered user of a class uses in a month under a plan (`usagePerUser`), and what
 * that usage costs at list prices, either at the margin (`marginalCost`, for "what does one more user cost") or
 * as an account's bill with the included allowances and the Workers base fee (`accountCost`).
 */
import type { UserClass } from "./mix";
import type { Prices } from "./prices";
import { billableTokens, type Tokens, UNIT_USAGE as U } from "./unit-usage";

/** A 30-day month. Fly's monthly prices are spread over it too. */
export const MONTH_SECONDS = 30 * 86_400;
const MONTH_HOURS = MONTH_SECONDS / 3_600;

/** What the model needs of a plan (worker/src/billing/plans.ts), plus what it should do with an unused stack. */
export interface PlanTerms {
  allowanceTokens: number;
  stackIdleSeconds: number;
  /** "forever": a dormant user keeps machines and volumes (today); "month": destroyed after a month unused. */
  stackRetention: "forever" | "month";
}

export interface ModelOptions {
  /** Whether the actors hibernate while a client is connected and nothing happens (issue 22). */
  hibernation: boolean;
}

/** Monthly usage; per registered user from `usagePerUser`, summed over users by `addUsage`. */
export interface Usage {
  registeredUsers: number;
  dailyActiveUsers: number;
  workerRequests: number;
  workerCpuMs: number;
  doRequests: number;
  doGbSeconds: number;
  doRowsWritten: number;
  doStorageGb: number;
  dbRoundTrips: number;
  pgStorageGb: number;
  opencodeRunningSeconds: number;
  giteaRunningSeconds: number;
  suspendedGbMonths: number;
  volumeGbMonths: number;
  tokens: Tokens;
  cardCharges: number;
}

export const COMPONENTS = [
  "Claude tokens",
  "Workers",
  "Durable Objects",
  "Neon Postgres",
  "Fly machines running",
  "Fly suspended + volumes",
  "Stripe fees",
] as const;
export type Component = (typeof COMPONENTS)[number];
export type Costs = Record<Component, number>;

const scaleTokens = (t: Tokens, k: number): Tokens => ({
  input: t.input * k,
  cacheRead: t.cacheRead * k,
  cacheWrite: t.cacheWrite * k,
  output: t.output * k,
});

/** Share of an active user's demand the allowance lets through (turns and sub-agent minutes are cut alike). */
export function allowanceFactor(cls: UserClass, plan: PlanTerms): number {
  const d = cls.perActiveDay;
  const demand =
    cls.activeDays *
    (d.turns * billableTokens(U.turn.tokens) + d.subAgentMinutes * billableTokens(U.subAgentMinute.tokens));
  return demand > 0 ? Math.min(1, plan.allowanceTokens / demand) : 1;
}

/** A registered user's month, averaged over the class (dormant users included). */
export function usagePerUser(cls: UserClass, plan: PlanTerms, options: ModelOptions): Usage {
  const d = cls.perActiveDay;
  const days = cls.activeDays;
  const cut = allowanceFactor(cls, plan);
  // One active user's month.
  const turns = days * d.turns * cut;
  const subMinutes = days * d.subAgentMinutes * cut;
  const subSessions = days * d.subAgentSessions * cut;
  const writes = days * d.memoryWrites;
  const memoryWakes = days * d.memoryWakes;
  const pageLoads = days * d.pageLoads;
  const tabSeconds = days * d.openTabHours * 3_600;

  const workerRequests =
    turns * U.turn.workerRequests +
    writes * U.memoryWrite.workerRequests +
    subMinutes * U.subAgentMinute.workerRequests +
    pageLoads * U.pageLoad.workerRequests;
  const subAgentActorSeconds = subMinutes * 60 * U.subAgentMinute.residentActors;
  const growAgentSeconds = options.hibernation
    ? (turns + writes) * U.actor.hibernationGraceSeconds + turns * U.turn.actorSeconds
    : tabSeconds;
  // With the live hub the tab's socket is the hub's: it runs for each publish of a turn and each token renewal.
  const renewals = (tabSeconds / 3_600) * U.hub.renewalsPerTabHour;
  const publishes = turns * U.turn.events * U.hub.publishesPerEvent;
  const hubSeconds = options.hibernation ? (publishes + renewals) * U.hub.handlerSeconds : 0;
  const hubRequests = options.hibernation
    ? publishes + renewals / U.hub.messagesPerRequest + pageLoads * U.hub.requestsPerPageLoad
    : 0;

  const eventRows = turns * U.turn.events;
  const bringUpSeconds = subSessions * (plan.stackIdleSeconds + U.machines.wakeSeconds) + subMinutes * 60;
  const opencodeRunningSeconds = bringUpSeconds;
  const giteaRunningSeconds = bringUpSeconds + memoryWakes * (plan.stackIdleSeconds + U.machines.wakeSeconds);

  const m = U.machines;
  const opencodeGb = m.opencodeRootfsGb + m.opencodeMemoryGb;
  const giteaGb = m.giteaRootfsGb + m.giteaMemoryGb;
  const a = cls.monthlyActiveShare;
  const dormantKeeps = plan.stackRetention === "forever" ? 1 : 0;
  const stackExists = cls.stackShare * (a + (1 - a) * dormantKeeps);
  const runningGbMonths =
    (a * cls.stackShare * (opencodeRunningSeconds * opencodeGb + giteaRunningSeconds * giteaGb)) /
    MONTH_SECONDS;
  const paid = cls.name === "pro";

  return {
    registeredUsers: 1,
    dailyActiveUsers: (a * days) / 30,
    workerRequests: a * workerRequests,
    workerCpuMs: a * workerRequests * U.turn.workerCpuMsPerRequest,
    doRequests:
      a *
      (turns * U.turn.doRequests +
        writes * U.memoryWrite.doRequests +
        subMinutes * U.subAgentMinute.doRequests +
        hubRequests),
    doGbSeconds: a * (growAgentSeconds + hubSeconds + subAgentActorSeconds) * U.actor.memoryGb,
    doRowsWritten: a * eventRows * U.turn.doRowsWrittenPerEvent,
    doStorageGb: (a * eventRows * U.turn.bytesPerEvent * U.database.monthsOfHistory) / 1e9,
    dbRoundTrips:
      a *
      (turns * U.turn.dbRoundTrips +
        writes * U.memoryWrite.dbRoundTrips +
        subMinutes * U.subAgentMinute.dbRoundTrips +
        pageLoads * U.pageLoad.dbRoundTrips),
    pgStorageGb:
      (a * (eventRows * U.turn.bytesPerEvent + writes * U.memoryWrite.bytes) * U.database.monthsOfHistory) /
      1e9,
    opencodeRunningSeconds: a * cls.stackShare * opencodeRunningSeconds,
    giteaRunningSeconds: a * cls.stackShare * giteaRunningSeconds,
    suspendedGbMonths: Math.max(0, stackExists * (opencodeGb + giteaGb) - runningGbMonths),
    volumeGbMonths: stackExists * 2 * m.volumeGb,
    tokens: scaleTokens(
      {
        input: turns * U.turn.tokens.input + subMinutes * U.subAgentMinute.tokens.input,
        cacheRead: turns * U.turn.tokens.cacheRead + subMinutes * U.subAgentMinute.tokens.cacheRead,
        cacheWrite: turns * U.turn.tokens.cacheWrite + subMinutes * U.subAgentMinute.tokens.cacheWrite,
        output: turns * U.turn.tokens.output + subMinutes * U.subAgentMinute.tokens.output,
      },
      a,
    ),
    cardCharges: paid ? 1 : 0,
  };
}

/** `usage` times `k` (k users alike). */
export function scaleUsage(usage: Usage, k: number): Usage {
  const out = { ...usage, tokens: scaleTokens(usage.tokens, k) };
  for (const key of Object.keys(out) as (keyof Usage)[]) {
    if (key !== "tokens") out[key] = usage[key] * k;
  }
  return out;
}

export function addUsage(a: Usage, b: Usage): Usage {
  const out = { ...a, tokens: scaleTokens(a.tokens, 1) };
  for (const key of Object.keys(out) as (keyof Usage)[]) {
    if (key !== "tokens") out[key] = a[key] + b[key];
  }
  for (const key of Object.keys(out.tokens) as (keyof Tokens)[]) out.tokens[key] += b.tokens[key];
  return out;
}

const over = (used: number, included: number) => Math.max(0, used - included);

function shared(
  u: Usage,
  p: Prices,
  chargePerCharge: number,
): Pick<Costs, "Claude tokens" | "Fly machines running" | "Fly suspended + volumes" | "Stripe fees"> {
  const c = p.claude;
  return {
    "Claude tokens":
      (u.tokens.input * c.input.value +
        u.tokens.output * c.output.value +
        u.tokens.cacheWrite * c.cacheWrite.value +
        u.tokens.cacheRead * c.cacheRead.value) /
      1e6,
    "Fly machines running":
      (u.opencodeRunningSeconds * p.fly.opencodeRunningMonthly.value +
        u.giteaRunningSeconds * p.fly.giteaRunningMonthly.value) /
      MONTH_SECONDS,
    "Fly suspended + volumes":
      u.suspendedGbMonths * p.fly.suspendedPerGbMonth.value + u.volumeGbMonths * p.fly.volumePerGbMonth.value,
    "Stripe fees": u.cardCharges * chargePerCharge,
  };
}

/** Stripe's fee on one monthly charge of `amount`. */
export const stripeFee = (p: Prices, amount: number): number =>
  amount * p.stripe.percent.value + p.stripe.fixed.value;

/** Database compute a month of `roundTrips` needs, in CU (before the smallest size). */
const cuFor = (roundTrips: number) =>
  (roundTrips / MONTH_SECONDS / U.database.roundTripsPerCuSecond) * U.database.headroom;

/** What this usage adds to the bill, with no included allowances, base fee or smallest compute size. */
export function marginalCost(u: Usage, p: Prices, proPrice: number): Costs {
  const w = p.workers;
  const o = p.durableObjects;
  return {
    ...shared(u, p, stripeFee(p, proPrice)),
    Workers: (u.workerRequests * w.perMillionRequests.value + u.workerCpuMs * w.perMillionCpuMs.value) / 1e6,
    "Durable Objects":
      (u.doRequests * o.perMillionRequests.value +
        u.doGbSeconds * o.perMillionGbSeconds.value +
        u.doRowsWritten * o.perMillionRowsWritten.value) /
        1e6 +
      u.doStorageGb * o.perGbMonth.value,
    "Neon Postgres":
      cuFor(u.dbRoundTrips) * MONTH_HOURS * p.neon.perCuHour.value + u.pgStorageGb * p.neon.perGbMonth.value,
  };
}

/** The month's bill for all of `u`: included allowances, the Workers base fee, Neon's smallest compute. */
export function accountCost(u: Usage, p: Prices, proPrice: number): Costs {
  const w = p.workers;
  const o = p.durableObjects;
  return {
    ...shared(u, p, stripeFee(p, proPrice)),
    Workers:
      w.baseMonthly.value +
      (over(u.workerRequests, w.includedRequests.value) * w.perMillionRequests.value +
        over(u.workerCpuMs, w.includedCpuMs.value) * w.perMillionCpuMs.value) /
        1e6,
    "Durable Objects":
      (over(u.doRequests, o.includedRequests.value) * o.perMillionRequests.value +
        over(u.doGbSeconds, o.includedGbSeconds.value) * o.perMillionGbSeconds.value +
        over(u.doRowsWritten, o.includedRowsWritten.value) * o.perMillionRowsWritten.value) /
        1e6 +
      over(u.doStorageGb, o.includedStorageGb.value) * o.perGbMonth.value,
    "Neon Postgres":
      Math.max(p.neon.minCu.value, cuFor(u.dbRoundTrips)) * MONTH_HOURS * p.neon.perCuHour.value +
      u.pgStorageGb * p.neon.perGbMonth.value,
  };
}

export const total = (costs: Costs): number => COMPONENTS.reduce((sum, c) => sum + costs[c], 0);
