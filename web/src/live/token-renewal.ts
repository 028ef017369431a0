import { jwtExpiry } from "../auth/clerk-auth";

/**
 * The server closes a live connection when the token it was opened with expires (`user.token_expired`); the client
 * then reconnects with a fresh one and re-reads what it missed. With Clerk's 60 s tokens that would be a reconnect a
 * minute, so an open connection hands the actor a fresh token (`renewToken`) shortly before the current one
 * expires. A renewal that fails changes nothing: the server closes the connection and the reconnect takes over.
 */

/** How long before the connection's token expires a fresh one is sent (the providers renew 15–60 s ahead). */
export const RENEW_AHEAD_MS = 10_000;
/** When the provider still hands the same token, asked again this much later (until the connection expires). */
export const RETRY_MS = 2_000;

/**
 * When to renew a connection whose token expires at `expiresAt` (ms from now): `ahead` before it, but never sooner
 * than half its remaining life, so tokens shorter-lived than `ahead` are not renewed in a tight loop.
 */
export function renewalDelay(expiresAt: number, now: number, ahead = RENEW_AHEAD_MS): number {
  const remaining = expiresAt - now;
  return remaining <= 0 ? 0 : Math.max(remaining - ahead, remaining / 2);
}

export interface TokenRenewalOptions {
  /** A token valid for a while yet (the auth provider's `token()`). */
  token(): Promise<string | null>;
  /** Sends it over the open connection (the actor's `renewToken` action). */
  renew(token: string): Promise<unknown>;
  expiryOf?(token: string): number | null;
  now?(): number;
}

export interface TokenRenewal {
  /** The connection opened (again) with `token`: renew ahead of its expiry from now on. */
  opened(token: string | null): void;
  /** The connection is down or disposed: nothing to renew. */
  stop(): void;
}

export function createTokenRenewal(options: TokenRenewalOptions): TokenRenewal {
  const expiryOf = options.expiryOf ?? jwtExpiry;
  const now = options.now ?? (() => Date.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every open and stop: a renewal of an older connection is dropped. */
  let generation = 0;

  const schedule = (expiresAt: number, run: number, delay = renewalDelay(expiresAt, now())) => {
    clearTimeout(timer);
    timer = setTimeout(() => void renewOnce(expiresAt, run), delay);
  };

  const renewOnce = async (expiresAt: number, run: number) => {
    try {
      const token = await options.token();
      if (run !== generation) return;
      const next = token ? expiryOf(token) : null;
      if (!token || next === null || next <= expiresAt) {
        // Not renewed yet by the provider: ask again while the connection lasts.
        if (now() + RETRY_MS < expiresAt) schedule(expiresAt, run, RETRY_MS);
        return;
      }
      await options.renew(token);
      if (run === generation) schedule(next, run);
    } catch {
      // The server closes the connection at expiry and the client reconnects with a fresh token.
    }
  };

  return {
    opened(token) {
      generation++;
      clearTimeout(timer);
      const expiresAt = token ? expiryOf(token) : null;
      if (expiresAt !== null) schedule(expiresAt, generation);
    },
    stop() {
      generation++;
      clearTimeout(timer);
    },
  };
}
