import type { AuthConfig } from "./auth-config";
import type { SessionClaims } from "./verify-token";

/** Enough for every token an isolate sees in a minute at our traffic; each entry is a token string and its claims. */
const MAX_ENTRIES = 1_000;
/**
 * How long a verification is reused at most, even for a longer-lived token: with a JWKS (secret key) config a
 * rotated-out key stops being honoured within this time.
 */
const MAX_AGE_MS = 5 * 60_000;

interface Entry {
  claims: SessionClaims;
  config: string;
  usableUntil: number;
}

/** What a verification depended on besides the token: a cached result counts only under the same settings. */
export const configKey = (config: AuthConfig) =>
  [config.issuer, config.authorizedParties.join(","), config.jwtKey ?? "", config.secretKey ?? ""].join("\n");

/**
 * Claims of tokens this isolate has already verified (signature, issuer, `azp`, `exp`/`nbf`), keyed by the exact
 * token string, so a client's next request with the same token skips the key import and signature check. The
 * token's own expiry is checked on every use, without the verifier's clock-skew allowance: an entry past `exp`
 * is dropped and the token goes back through full verification, which refuses it. Bounded, least recently used
 * first out.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string, config: string): SessionClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (entry.config !== config || entry.usableUntil <= this.now()) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.set(token, entry);
    return entry.claims;
  }

  set(token: string, config: string, claims: SessionClaims): void {
    // A token without a numeric expiry is never reused: there would be nothing to check it against.
    if (!Number.isFinite(claims.expiresAt)) return;
    const usableUntil = Math.min(claims.expiresAt * 1000, this.now() + MAX_AGE_MS);
    this.entries.delete(token);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    // Shared by every later request with this token: none of them may change what the next one sees.
    this.entries.set(token, { claims: Object.freeze({ ...claims }), config, usableUntil });
  }

  get size(): number {
    return this.entries.size;
  }
}
