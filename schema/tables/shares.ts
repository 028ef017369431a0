import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, idColumn } from "./columns";
import { threads } from "./threads";
import { users } from "./users";

/**
 * Read-only links to one thread (worker/src/shares/). Only the token's SHA-256 is kept, so a leaked table names no
 * working link; the owner sees the token once, at creation. A link works while `revoked_at` is null and
 * `expires_at` is null or in the future; deleting the thread deletes its links.
 */
export const threadShares = pgTable(
  "thread_shares",
  {
    id: idColumn(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    // Denormalised owner: the owner's list and revocation are scoped by it, and a link resolves to its owner's
    // agent without a join.
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // SHA-256 of the token, base64url.
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("thread_shares_thread_id_idx").on(t.threadId, t.id.desc())],
);
