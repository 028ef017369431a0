/**
 * RivetKit 2.2.1's client finds the actor (`PUT /api/rivet/actors`) with the fixed `headers` it was created with:
 * no connection params, no way to hand it a fresh token. The manager guard (worker/src/actors/manager-guard.ts)
 * refuses that bearer once it has expired, and RivetKit would retry with it until a page reload. So a lookup
 * refused for its token replaces the client with one built with a fresh token (client-rebuilds.ts); any other
 * failure (503 while the database is down, 429, the network) is RivetKit's to retry with the same client.
 */

/** What the guard refuses a manager call's credential with (`callerOf`), all `user.*` with status 401. */
const TOKEN_REFUSALS: readonly string[] = ["missing_token", "invalid_token", "token_expired"];

/** The longest wait between two rebuilds: a fresh token refused again and again is not retried in a loop. */
export const MAX_REBUILD_DELAY_MS = 30_000;

/** Whether a failed lookup was refused for the client's token (RivetKit's `ActorError`: `{ group, code }`). */
export function isTokenRefusal(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { group, code } = error as { group?: unknown; code?: unknown };
  return group === "user" && typeof code === "string" && TOKEN_REFUSALS.includes(code);
}

/**
 * How long to wait before the next rebuild, `rebuilds` rebuilds since the connection was last open: the first at
 * once (routine: the token expired while the lookups failed for another reason), then 1 s, 2 s, 4 s… up to 30 s,
 * since a fresh token refused too (a clock far off, a misconfigured issuer) will not be taken a moment later either.
 */
export function rebuildDelay(rebuilds: number): number {
  return rebuilds <= 0 ? 0 : Math.min(MAX_REBUILD_DELAY_MS, 1_000 * 2 ** (rebuilds - 1));
}

export type LookupVerdict =
  /** Not about the token: RivetKit retries with the same client, with its own backoff. */
  | { rebuild: false }
  /** Replace the client after `afterMs`; `quiet`: routine (an expired token, the first time), nothing to show. */
  | { rebuild: true; afterMs: number; quiet: boolean };

/** What to do about a failed lookup, `rebuilds` rebuilds since the connection was last open. */
export function lookupVerdict(error: unknown, rebuilds: number): LookupVerdict {
  if (!isTokenRefusal(error)) return { rebuild: false };
  const expired = (error as { code: string }).code === "token_expired";
  return { rebuild: true, afterMs: rebuildDelay(rebuilds), quiet: expired && rebuilds === 0 };
}
