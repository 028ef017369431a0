import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { mintSessionToken } from "../../../dev/issuer/mint-token";
import { loadOrCreateSigningKey, type SigningKey } from "../../../dev/issuer/signing-key";
import type { AuthConfig } from "./auth-config";
import { bearerToken, verifySessionToken } from "./verify-token";

const ISSUER = "https://clerk.growqr.test";
const APP = "https://app.growqr.test";

describe("verifySessionToken", () => {
  let key: SigningKey;
  let config: AuthConfig;
  beforeAll(async () => {
    key = await loadOrCreateSigningKey(undefined);
    config = { jwtKey: key.publicPem, issuer: ISSUER, authorizedParties: [APP] };
  });

  it("returns the identity and profile claims of a valid token", async () => {
    const token = await mintSessionToken(key, { username: "alice", issuer: ISSUER, authorizedParty: APP });
    await expect(verifySessionToken(token, config)).resolves.toMatchObject({
      sub: "user_dev_alice",
      email: "alice@dev.growqr.local",
      name: "Alice",
    });
  });

  it("tolerates 5 s of clock skew but not more", async () => {
    const now = Math.floor(Date.now() / 1000);
    const justExpired = await mintSessionToken(key, {
      username: "a",
      issuer: ISSUER,
      authorizedParty: APP,
      now: now - 63,
      ttlSeconds: 60,
    });
    await expect(verifySessionToken(justExpired, config)).resolves.toMatchObject({ sub: "user_dev_a" });
    const expired = await mintSessionToken(key, {
      username: "a",
      issuer: ISSUER,
      authorizedParty: APP,
      now: now - 70,
      ttlSeconds: 60,
    });
    await expect(verifySessionToken(expired, config)).rejects.toMatchObject({
      status: 401,
      code: "token_expired",
    });
  });

  it("refuses a correctly signed token without a subject", async () => {
    const token = await new SignJWT({ azp: APP })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key.privateKey);
    await expect(verifySessionToken(token, config)).rejects.toMatchObject({
      status: 401,
      code: "invalid_token",
    });
  });

  it("ignores over-long or non-string profile claims instead of storing them", async () => {
    const token = await mintSessionToken(key, {
      username: "bob",
      issuer: ISSUER,
      authorizedParty: APP,
      claims: { email: "x".repeat(400), name: 42 },
    });
    const claims = await verifySessionToken(token, config);
    expect(claims.email).toBeUndefined();
    expect(claims.name).toBeUndefined();
  });
});

describe("bearerToken", () => {
  it("extracts a JWT from a Bearer header and refuses anything else", () => {
    expect(bearerToken("Bearer aaa.bbb.ccc")).toBe("aaa.bbb.ccc");
    expect(() => bearerToken(undefined)).toThrow(expect.objectContaining({ code: "missing_token" }));
    expect(() => bearerToken("Bearer aaa.bbb")).toThrow(expect.objectContaining({ code: "invalid_token" }));
    expect(() => bearerToken("Token aaa.bbb.ccc")).toThrow(
      expect.objectContaining({ code: "invalid_token" }),
    );
  });
});
