/**
 * Which live connections may still receive events, and when the next one must be closed: a connection is good
 * until its token's (or internal credential's) expiry, exclusive, as for actions (assertCaller).
 */

/** The close reason of a connection whose token expired: RivetKit's client parses `group.code` into an ActorError. */
export const TOKEN_EXPIRED_CLOSE_REASON = "user.token_expired";

export interface ExpiringConn {
  /** The verified conn state; undefined while the connection is still being set up. */
  state: { tokenExpiresAt: number } | undefined;
}

/** No state yet (still authenticating) counts as expired: nothing is sent to a caller not yet known. */
export const isExpired = (conn: ExpiringConn, now: number): boolean =>
  !conn.state || now >= conn.state.tokenExpiresAt;

/** Splits connections into those an event may reach and those to close. */
export function partitionByExpiry<C extends ExpiringConn>(
  conns: Iterable<C>,
  now: number,
): { live: C[]; expired: C[] } {
  const live: C[] = [];
  const expired: C[] = [];
  for (const conn of conns) (isExpired(conn, now) ? expired : live).push(conn);
  return { live, expired };
}

/** The earliest expiry still ahead among `conns` (ms since the epoch), or undefined when none expires. */
export function nextExpiry(conns: Iterable<ExpiringConn>, now: number): number | undefined {
  let next: number | undefined;
  for (const conn of conns) {
    const at = conn.state?.tokenExpiresAt;
    if (at === undefined || at <= now || !Number.isFinite(at) || at >= Number.MAX_SAFE_INTEGER) continue;
    if (next === undefined || at < next) next = at;
  }
  return next;
}

/** setTimeout's delay is a 32-bit int: a later expiry is reached by re-arming. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The delay to wait for `at`, clamped to what a timer can take (at least 0). */
export const timerDelay = (at: number, now: number): number => Math.min(MAX_TIMER_MS, Math.max(0, at - now));
