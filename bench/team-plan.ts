import ws from "ws";
import type { LocalStack } from "../dev/stack";
import { subscriptions } from "../schema";
import { createDb } from "../schema/db";

/**
 * Puts a user on the Team plan directly in the database, so a benchmark or load run is limited by what it measures
 * and not by the Free plan's token allowance or sub-agent cap.
 */
export async function putOnTeamPlan(stack: LocalStack, userId: string): Promise<void> {
  const db = createDb({ databaseUrl: stack.databaseUrl, wsProxy: stack.wsProxy, webSocketConstructor: ws });
  try {
    await db.insert(subscriptions).values({
      userId,
      stripeSubscriptionId: `sub_bench_${crypto.randomUUID()}`,
      stripePriceId: "price_growqr_team_monthly",
      plan: "team",
      status: "active",
      currentPeriodEnd: new Date(Date.now() + 30 * 86_400_000),
      stripeEventCreatedAt: new Date(),
    });
  } finally {
    await db.$client.end();
  }
}
