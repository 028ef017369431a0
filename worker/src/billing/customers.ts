import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { billingCustomers } from "../../../schema";
import type { Database } from "../../../schema/db";

export interface CustomerOwner {
  id: string;
  email: string | null;
  name: string | null;
}

export async function findCustomerId(db: Database, userId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: billingCustomers.stripeCustomerId })
    .from(billingCustomers)
    .where(eq(billingCustomers.userId, userId));
  return row?.id;
}

/** The user whose Stripe customer this is, if it is one of ours. */
export async function findCustomerOwner(db: Database, stripeCustomerId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: billingCustomers.userId })
    .from(billingCustomers)
    .where(eq(billingCustomers.stripeCustomerId, stripeCustomerId));
  return row?.userId;
}

/**
 * The user's one Stripe customer, created on first use. Concurrent or retried calls converge on one customer:
 * creation carries an idempotency key derived from the user id (and what is sent), so Stripe answers a repeat
 * with the customer it already made, and the row is written with one upsert that keeps the first writer's
 * customer and returns it.
 */
export async function ensureCustomer(db: Database, stripe: Stripe, user: CustomerOwner): Promise<string> {
  const existing = await findCustomerId(db, user.id);
  if (existing) return existing;
  const params: Stripe.CustomerCreateParams = {
    metadata: { user_id: user.id },
    ...(user.email ? { email: user.email } : {}),
    ...(user.name ? { name: user.name } : {}),
  };
  // Stripe refuses a key reused with other parameters, so the key covers them too (an email changed between
  // two attempts gets a fresh key; the upsert below still keeps a single customer for the user).
  const customer = await stripe.customers.create(params, {
    idempotencyKey: `growqr-customer-${user.id}-${await shortHash(JSON.stringify(params))}`,
  });
  const [row] = await db
    .insert(billingCustomers)
    .values({ userId: user.id, stripeCustomerId: customer.id })
    .onConflictDoUpdate({
      target: billingCustomers.userId,
      // A no-op update, so RETURNING yields the row that won.
      set: { stripeCustomerId: sql`billing_customers.stripe_customer_id` },
    })
    .returning({ id: billingCustomers.stripeCustomerId });
  if (!row) throw new Error("billing customer upsert returned no row");
  return row.id;
}

async function shortHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}
