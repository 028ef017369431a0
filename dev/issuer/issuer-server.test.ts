import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevIssuer, startDevIssuer } from "./issuer-server";
import { loadOrCreateSigningKey } from "./signing-key";

const lifetimeOf = (token: string) => {
  const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
    iat: number;
    exp: number;
  };
  return claims.exp - claims.iat;
};

describe("dev issuer sign-in", () => {
  let issuer: DevIssuer;
  beforeAll(async () => {
    issuer = await startDevIssuer({
      key: await loadOrCreateSigningKey(undefined),
      authorizedParty: "http://app",
    });
  });
  afterAll(() => issuer?.close());

  const signIn = async (body: unknown) => {
    const response = await fetch(`${issuer.url}/sign-in`, { method: "POST", body: JSON.stringify(body) });
    return (await response.json()) as { token: string; expiresIn: number };
  };

  it("signs 15-minute tokens, or shorter ones when asked (for tests that watch a token expire)", async () => {
    const normal = await signIn({ username: "alice" });
    expect([normal.expiresIn, lifetimeOf(normal.token)]).toEqual([900, 900]);
    const short = await signIn({ username: "alice", ttlSeconds: 8 });
    expect([short.expiresIn, lifetimeOf(short.token)]).toEqual([8, 8]);
  });

  it("never signs longer than 15 minutes nor shorter than 5 seconds", async () => {
    expect((await signIn({ username: "alice", ttlSeconds: 86_400 })).expiresIn).toBe(900);
    expect((await signIn({ username: "alice", ttlSeconds: 1 })).expiresIn).toBe(900);
    expect((await signIn({ username: "alice", ttlSeconds: "8" })).expiresIn).toBe(900);
  });
});
