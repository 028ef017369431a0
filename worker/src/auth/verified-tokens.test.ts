import { beforeAll, describe, expect, it } from "vitest";
import { mintSessionToken } from "../../../dev/issuer/mint-token";
import { loadOrCreateSigningKey, type SigningKey } from "../../../dev/issuer/signing-key";
import type { AuthConfig } from "./auth-config";
import { configKey, VerifiedTokens } from "./verified-tokens";
import type { SessionClaims } from "./verify-token";
import { verifySessionToken } from "./verify-token";

const ISSUER = "https://clerk.growqr.test";
const APP = "https://app.growqr.test";
const claimsUntil = (sub: string, expiresAtMs: number): SessionClaims => ({
  sub,
  expiresAt: expiresAtMs / 1000,
});

describe("VerifiedTokens", () => {
  it("answers only for the exact token it verified, under the same settings", () => {
    const cache = new VerifiedTokens(10, () => 1_000_000);
    cache.set("a.b.c", "config", claimsUntil("alice", 2_000_000));
    expect(cache.get("a.b.c", "config")?.sub).toBe("alice");
    expect(cache.get("a.b.d", "config")).toBeUndefined();
    expect(cache.get("a.b.c", "other config")).toBeUndefined();
  });

  it("refuses an entry once its token has expired, checked on every use", () => {
    let now = 1_000_000;
    const cache = new VerifiedTokens(10, () => now);
    cache.set("t", "c", claimsUntil("alice", 1_060_000));
    expect(cache.get("t", "c")).toBeDefined();
    now = 1_060_000;
    expect(cache.get("t", "c")).toBeUndefined();
    now = 1_000_000; // and it is gone, not just hidden
    expect(cache.get("t", "c")).toBeUndefined();
  });

  it("reuses a long-lived token's verification for five minutes at most", () => {
    let now = 0;
    const cache = new VerifiedTokens(10, () => now);
    cache.set("t", "c", claimsUntil("alice", 3_600_000));
    now = 299_999;
    expect(cache.get("t", "c")).toBeDefined();
    now = 300_000;
    expect(cache.get("t", "c")).toBeUndefined();
  });

  it("never keeps a token without a numeric expiry", () => {
    const cache = new VerifiedTokens(10, () => 0);
    cache.set("t", "c", { sub: "alice", expiresAt: Number.NaN });
    expect(cache.get("t", "c")).toBeUndefined();
  });

  it("stays bounded, evicting the least recently used", () => {
    const cache = new VerifiedTokens(3, () => 0);
    for (const token of ["t1", "t2", "t3"]) cache.set(token, "c", claimsUntil(token, 60_000));
    cache.get("t1", "c"); // t2 is now the least recently used
    cache.set("t4", "c", claimsUntil("t4", 60_000));
    expect(cache.size).toBe(3);
    expect(cache.get("t2", "c")).toBeUndefined();
    expect(cache.get("t1", "c")?.sub).toBe("t1");
    expect(cache.get("t4", "c")?.sub).toBe("t4");
  });

  it("hands out claims no caller can change for the next one", () => {
    const cache = new VerifiedTokens(10, () => 0);
    cache.set("t", "c", claimsUntil("alice", 60_000));
    const claims = cache.get("t", "c") as SessionClaims;
    expect(() => {
      claims.sub = "mallory";
    }).toThrow();
  });
});

describe("verifySessionToken with the cache", () => {
  let key: SigningKey;
  let config: AuthConfig;
  beforeAll(async () => {
    key = await loadOrCreateSigningKey(undefined);
    config = { jwtKey: key.publicPem, issuer: ISSUER, authorizedParties: [APP] };
  });

  it("serves a repeated token from the cache and still refuses it once expired", async () => {
    let now = Date.now();
    const cache = new VerifiedTokens(10, () => now);
    const token = await mintSessionToken(key, {
      username: "carol",
      issuer: ISSUER,
      authorizedParty: APP,
      ttlSeconds: 60,
    });
    const first = await verifySessionToken(token, config, cache);
    expect(cache.get(token, configKey(config))?.sub).toBe(first.sub);
    await expect(verifySessionToken(token, config, cache)).resolves.toMatchObject({ sub: "user_dev_carol" });
    // Past exp (and the verifier's 5 s skew) by the cache's clock and the verifier's alike.
    now = first.expiresAt * 1000 + 1;
    expect(cache.get(token, configKey(config))).toBeUndefined();
  });

  it("refuses an expired token even when it is in the cache", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mintSessionToken(key, {
      username: "erin",
      issuer: ISSUER,
      authorizedParty: APP,
      now: now - 70,
      ttlSeconds: 60,
    });
    // Cached while it was still valid (by a clock 70 s behind).
    let clock = (now - 70) * 1000;
    const cache = new VerifiedTokens(10, () => clock);
    cache.set(token, configKey(config), { sub: "user_dev_erin", expiresAt: now - 10 });
    expect(cache.get(token, configKey(config))).toBeDefined();
    clock = Date.now();
    await expect(verifySessionToken(token, config, cache)).rejects.toMatchObject({
      status: 401,
      code: "token_expired",
    });
  });

  it("does not cache a token that failed verification", async () => {
    const cache = new VerifiedTokens(10);
    const token = await mintSessionToken(key, { username: "dave", issuer: ISSUER, authorizedParty: APP });
    const wrongParty = { ...config, authorizedParties: ["https://evil.test"] };
    await expect(verifySessionToken(token, wrongParty, cache)).rejects.toMatchObject({ status: 401 });
    expect(cache.size).toBe(0);
    // Verified under the right settings, it is still refused under the wrong ones.
    await verifySessionToken(token, config, cache);
    await expect(verifySessionToken(token, wrongParty, cache)).rejects.toMatchObject({ status: 401 });
  });
});
