import type Stripe from "stripe";
import { afterAll, beforeAll } from "vitest";
import { type DevStripe, startDevStripe } from "../../dev/stripe/stripe-server";
import type { Database } from "../../schema/db";
import { createStripe } from "../../worker/src/billing/stripe-client";
import { type MigratedDatabase, startMigratedDatabase } from "./local-db";

export interface BillingFixture {
  db: Database;
  devStripe: DevStripe;
  /** The Worker's Stripe client against dev/stripe, without SDK retries: each failure reaches the code under test. */
  stripe: Stripe;
}

/**
 * A migrated PGlite and dev/stripe for the enclosing `describe`, started before its tests and stopped after. Read
 * the fields inside tests (they are set in `beforeAll`).
 */
export function useBillingFixture(): BillingFixture {
  const fixture = {} as BillingFixture;
  let local: MigratedDatabase | undefined;
  beforeAll(async () => {
    local = await startMigratedDatabase();
    fixture.db = local.db;
    fixture.devStripe = await startDevStripe();
    fixture.stripe = createStripe(fixture.devStripe.workerVars, { maxNetworkRetries: 0 });
  });
  afterAll(async () => {
    await fixture.devStripe?.close();
    await local?.close();
  });
  return fixture;
}
