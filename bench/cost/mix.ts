/** The stated activity mix: who the users are and what an active user does on a day they use GrowQR. */

export interface UserClass {
  name: "free" | "pro";
  /** Share of registered users in this class. */
  share: number;
  /** Share of the class that uses GrowQR at least once in the month; the rest are dormant. */
  monthlyActiveShare: number;
  /** Days in the month an active user uses it. */
  activeDays: number;
  /** What an active user does on an active day (before the allowance cuts it). */
  perActiveDay: {
    turns: number;
    subAgentMinutes: number;
    /** Stack bring-ups for sub-agents: each keeps the machines up for the idle timeout afterwards. */
    subAgentSessions: number;
    memoryWrites: number;
    /** Memory writes that find the stack suspended and wake the Gitea machine alone. */
    memoryWakes: number;
    openTabHours: number;
    pageLoads: number;
  };
  /** Share of users in the class that have a stack (machines and volumes exist). */
  stackShare: number;
}

export const MIX: readonly UserClass[] = [
  {
    name: "free",
    share: 0.95,
    monthlyActiveShare: 0.4,
    activeDays: 6,
    perActiveDay: {
      turns: 8,
      subAgentMinutes: 3,
      subAgentSessions: 1,
      memoryWrites: 2,
      memoryWakes: 1,
      openTabHours: 1.5,
      pageLoads: 2,
    },
    stackShare: 0.6,
  },
  {
    name: "pro",
    share: 0.05,
    monthlyActiveShare: 0.9,
    activeDays: 20,
    perActiveDay: {
      turns: 30,
      subAgentMinutes: 15,
      subAgentSessions: 3,
      memoryWrites: 6,
      memoryWakes: 2,
      openTabHours: 6,
      pageLoads: 4,
    },
    stackShare: 1,
  },
];

export const SCALES = [1_000, 100_000, 1_000_000] as const;

/** The ceiling a free user must stay under, per month (docs/cost.md says why). */
export const FREE_USER_CEILING_USD = 0.5;

/** The Pro plan's price (plans.ts `priceLabel`: "$20 / month"). */
export const PRO_PRICE_USD = 20;
