import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, idColumn, updatedAt } from "./columns";

/** Mirror of the Clerk user; rows appear on a user's first verified request. */
export const users = pgTable(
  "users",
  {
    id: idColumn(),
    clerkUserId: text("clerk_user_id").notNull().unique(),
    email: text("email"),
    name: text("name"),
    imageUrl: text("image_url"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("users_email_idx").on(t.email)],
);
