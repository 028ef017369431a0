import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, idColumn, oneOf, updatedAt } from "./columns";
import { threads } from "./threads";
import { users } from "./users";

export const billingCustomers = pgTable("billing_customers", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  stripeCustomerId: text("stripe_customer_id").notNull().unique(),
  createdAt: createdAt(),
});

export const subscriptions = pgTable(
  "subscriptions",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    stripeSubscriptionId: text("stripe_subscription_id").notNull().unique(),
    stripePriceId: text("stripe_price_id").notNull(),
    plan: text("plan").notNull(),
    status: text("status").notNull(),
    currentPeriodStart: timestamp("current_period_start", { withTimezone: true }),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    // Created time of the Stripe event that last wrote this row: webhooks arrive in any order, older ones are ignored.
    stripeEventCreatedAt: timestamp("stripe_event_created_at", { withTimezone: true }).notNull(),
    // Outcome of the latest invoice (`paid` | `payment_failed`), ordered by its own event time.
    latestInvoiceStatus: text("latest_invoice_status"),
    latestInvoiceEventCreatedAt: timestamp("latest_invoice_event_created_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("subscriptions_user_id_idx").on(t.userId)],
);

/** Model tokens used, one row per model call; `turn_key` makes a retried write a no-op. */
export const usageRecords = pgTable(
  "usage_records",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    threadId: uuid("thread_id").references(() => threads.id, { onDelete: "set null" }),
    turnKey: text("turn_key").notNull().unique(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
    // The Stripe meter report this record was counted in (set once, when claimed into a batch); null = not yet.
    reportId: uuid("report_id").references(() => usageReports.id),
  },
  (t) => [
    index("usage_records_user_id_recorded_at_idx").on(t.userId, t.recordedAt),
    index("usage_records_unreported_idx").on(t.userId).where(sql`${t.reportId} is null`),
    check(
      "usage_records_tokens_non_negative",
      sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.cacheReadTokens} >= 0 and ${t.cacheWriteTokens} >= 0`,
    ),
  ],
);

export const USAGE_REPORT_STATUSES = ["pending", "reported", "rejected"] as const;

/**
 * One Stripe meter event: a batch of one user's usage records. Its id is the meter event's `identifier`, fixed
 * when the batch is claimed, so a retry after a lost answer is the same event to Stripe (deduplicated there).
 */
export const usageReports = pgTable(
  "usage_reports",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    stripeCustomerId: text("stripe_customer_id").notNull(),
    tokens: bigint("tokens", { mode: "number" }).notNull(),
    records: integer("records").notNull(),
    // Latest recorded_at of its records: the meter event's timestamp.
    usageAt: timestamp("usage_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: USAGE_REPORT_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: createdAt(),
    reportedAt: timestamp("reported_at", { withTimezone: true }),
  },
  (t) => [
    index("usage_reports_pending_idx").on(t.userId).where(sql`${t.status} = 'pending'`),
    check("usage_reports_status", oneOf(t.status, USAGE_REPORT_STATUSES)),
  ],
);

/** Stripe event ids already handled: a redelivered webhook is acknowledged and skipped. */
export const processedWebhookEvents = pgTable("processed_webhook_events", {
  stripeEventId: text("stripe_event_id").primaryKey(),
  type: text("type").notNull(),
  processedAt: timestamp("processed_at", { withTimezone: true }).notNull().defaultNow(),
});
