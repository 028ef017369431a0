import { sql } from "drizzle-orm";
import { users } from "../../../schema";
import type { Database } from "../../../schema/db";
import type { SessionClaims } from "../auth/verify-token";

export type User = typeof users.$inferSelect;

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 5_000;

interface CacheEntry {
  user: User;
  profile: string;
  expiresAt: number;
}

/**
 * Per-isolate cache of verified users, so a warm request does not touch the database just to learn who it is.
 * Keyed by Clerk id and invalidated when the profile claims change or after a minute.
 */
export class UserCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  get(claims: SessionClaims): User | undefined {
    const entry = this.entries.get(claims.sub);
    if (!entry || entry.expiresAt <= this.now() || entry.profile !== profileOf(claims)) return undefined;
    return entry.user;
  }

  set(claims: SessionClaims, user: User): void {
    // Map keeps insertion order: dropping the first key evicts the oldest entry.
    if (this.entries.size >= CACHE_MAX_ENTRIES)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(claims.sub, { user, profile: profileOf(claims), expiresAt: this.now() + CACHE_TTL_MS });
  }

  delete(clerkUserId: string): void {
    this.entries.delete(clerkUserId);
  }
}

/** The isolate's one cache: REST, RivetKit's routes and actor connections learn the same users. */
export const verifiedUsers = new UserCache();

const profileOf = (claims: SessionClaims) => JSON.stringify([claims.email, claims.name, claims.imageUrl]);

/**
 * Mirrors the caller into `users` in one statement. ON CONFLICT makes concurrent first requests converge on one
 * row; profile fields follow the latest token, but a claim the token lacks does not erase what we have.
 */
export async function upsertUser(db: Database, claims: SessionClaims): Promise<User> {
  const [user] = await db
    .insert(users)
    .values({ clerkUserId: claims.sub, email: claims.email, name: claims.name, imageUrl: claims.imageUrl })
    .onConflictDoUpdate({
      target: users.clerkUserId,
      set: {
        email: sql`coalesce(excluded.email, ${users.email})`,
        name: sql`coalesce(excluded.name, ${users.name})`,
        imageUrl: sql`coalesce(excluded.image_url, ${users.imageUrl})`,
        lastSeenAt: sql`now()`,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  if (!user) throw new Error("user upsert returned no row");
  return user;
}

export async function ensureUser(db: Database, claims: SessionClaims, cache: UserCache): Promise<User> {
  const cached = cache.get(claims);
  if (cached) return cached;
  const user = await upsertUser(db, claims);
  cache.set(claims, user);
  return user;
}
