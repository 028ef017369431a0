import { bigint, check, index, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, idColumn, oneOf, updatedAt } from "./columns";
import { users } from "./users";

export const stackStatuses = [
  "creating",
  "starting",
  "running",
  "suspending",
  "suspended",
  "stopped",
  "failed",
  "destroying",
  "destroyed",
] as const;

/** The user's Fly machine running OpenCode + Gitea; the provisioner owns every write. */
export const userStacks = pgTable(
  "user_stacks",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: "cascade" }),
    flyApp: text("fly_app").notNull(),
    flyMachineId: text("fly_machine_id").unique(),
    region: text("region"),
    status: text("status", { enum: stackStatuses }).notNull().default("creating"),
    opencodeUrl: text("opencode_url"),
    giteaUrl: text("gitea_url"),
    lastError: text("last_error"),
    lastWokenAt: timestamp("last_woken_at", { withTimezone: true }),
    // SHA-256 (base64url) of the stack's model-gateway credential; the credential itself lives only in the
    // machine's env and, sealed, in the provisioner's Durable Object. Null: no credential (revoked).
    gatewayKeyHash: text("gateway_key_hash").unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("user_stacks_status_valid", oneOf(t.status, stackStatuses)),
    index("user_stacks_status_idx").on(t.status),
  ],
);

/** A Gitea repository owned by the user (today only `growqr-memory`). */
export const repos = pgTable(
  "repos",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    giteaOwner: text("gitea_owner").notNull(),
    giteaRepoId: bigint("gitea_repo_id", { mode: "number" }),
    defaultBranch: text("default_branch").notNull().default("main"),
    // Scoped Gitea access token, encrypted with the app key; never leaves the backend in clear text.
    accessTokenCiphertext: text("access_token_ciphertext"),
    /**
     * A second token, read:repository only, for the user's sandbox to clone the repository (its skills): the
     * sandbox is untrusted, so it never holds the token that writes memory. Sealed like the other.
     */
    sandboxTokenCiphertext: text("sandbox_token_ciphertext"),
    /**
     * A restore from `memory_versions` in progress (the repository was made anew on an empty Gitea): the last
     * version written back, '' before the first; null when no restore is running.
     */
    restoreCursor: text("restore_cursor"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("repos_user_id_name_unique").on(t.userId, t.name)],
);
