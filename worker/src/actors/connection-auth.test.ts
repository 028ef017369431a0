import { beforeAll, describe, expect, it } from "vitest";
import { mintSessionToken } from "../../../dev/issuer/mint-token";
import { loadOrCreateSigningKey, type SigningKey } from "../../../dev/issuer/signing-key";
import type { Env } from "../env";
import { growAgentKey } from "./actor-keys";
import {
  assertCaller,
  assertInternalCaller,
  authenticateConnection,
  renewConnectionToken,
} from "./connection-auth";
import { internalParams } from "./internal-auth";

const alice = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b";
const bob = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5c";
const actor = { type: "growAgent" as const, key: growAgentKey(alice) };

describe("assertCaller", () => {
  const state = { userId: alice, clerkUserId: "user_a", tokenExpiresAt: 10_000 };

  it("lets the owner act while the token is valid", () => {
    expect(assertCaller(state, actor, 9_999)).toBe(state);
  });

  it("refuses once the connection's token has expired", () => {
    expect(() => assertCaller(state, actor, 10_000)).toThrow(
      expect.objectContaining({ code: "token_expired" }),
    );
  });

  it("refuses a connection of another user and one without state", () => {
    expect(() => assertCaller({ ...state, userId: bob }, actor, 0)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => assertCaller(undefined, actor, 0)).toThrow(
      expect.objectContaining({ code: "unauthorized" }),
    );
  });
});

describe("internal connections", () => {
  const env = { ACTOR_INTERNAL_KEY: "c2VjcmV0LWZvci10ZXN0cy1vbmx5LTMyLWJ5dGVzLWxvbmc=" } as Env;

  it("last as long as their credential: relays are refused once it expired", async () => {
    const state = await authenticateConnection(env, await internalParams(env, alice, "growAgent"), actor);
    expect(state).toMatchObject({ userId: alice, internal: true });
    expect(state.tokenExpiresAt).toBeGreaterThan(Date.now());
    expect(state.tokenExpiresAt).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(assertInternalCaller(state, actor)).toBe(state);
    expect(() => assertCaller(state, actor, state.tokenExpiresAt)).toThrow(
      expect.objectContaining({ code: "token_expired" }),
    );
  });

  it("refuse a credential minted for another actor type or another user", async () => {
    await expect(
      authenticateConnection(env, await internalParams(env, alice, "subAgent"), actor),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      authenticateConnection(env, await internalParams(env, bob, "growAgent"), actor),
    ).rejects.toMatchObject({ code: "forbidden" });
  });

  it("a client's token is not enough for internal-only actions", () => {
    expect(() =>
      assertInternalCaller(
        { userId: alice, clerkUserId: "user_a", tokenExpiresAt: Date.now() + 60_000 },
        actor,
      ),
    ).toThrow(expect.objectContaining({ code: "forbidden" }));
  });
});

describe("renewing an open connection's token", () => {
  const ISSUER = "https://clerk.growqr.test";
  const APP = "https://app.growqr.test";
  let key: SigningKey;
  let env: Env;
  const mint = (username: string, options: { now?: number; ttlSeconds?: number } = {}) =>
    mintSessionToken(key, { username, issuer: ISSUER, authorizedParty: APP, ...options });
  const open = { userId: alice, clerkUserId: "user_dev_alice", tokenExpiresAt: Date.now() + 10_000 };

  beforeAll(async () => {
    key = await loadOrCreateSigningKey(undefined);
    env = { CLERK_JWT_KEY: key.publicPem, CLERK_ISSUER: ISSUER, AUTHORIZED_PARTIES: APP } as Env;
  });

  it("extends the connection to a fresh token of the same user", async () => {
    const token = await mint("alice", { ttlSeconds: 600 });
    const renewed = await renewConnectionToken(env, open, token);
    expect(renewed.userId).toBe(alice);
    expect(renewed.tokenExpiresAt).toBeGreaterThan(Date.now() + 590_000);
  });

  it("refuses another user's token, an expired one (skew or not), and internal connections", async () => {
    await expect(renewConnectionToken(env, open, await mint("bob"))).rejects.toMatchObject({
      code: "forbidden",
    });
    const now = Math.floor(Date.now() / 1000);
    // Within the verifier's 5 s skew, yet past its expiry by our clock.
    const justExpired = await mint("alice", { now: now - 62, ttlSeconds: 60 });
    await expect(renewConnectionToken(env, open, justExpired)).rejects.toMatchObject({
      code: "token_expired",
    });
    await expect(renewConnectionToken(env, open, "not-a-token")).rejects.toMatchObject({
      code: expect.any(String),
    });
    await expect(renewConnectionToken(env, open, undefined)).rejects.toMatchObject({ code: "missing_token" });
    await expect(
      renewConnectionToken(env, { ...open, internal: true }, await mint("alice")),
    ).rejects.toMatchObject({ code: "forbidden" });
  });

  it("never shortens the connection", async () => {
    const far = { ...open, tokenExpiresAt: Date.now() + 3_600_000 };
    const renewed = await renewConnectionToken(env, far, await mint("alice", { ttlSeconds: 60 }));
    expect(renewed.tokenExpiresAt).toBe(far.tokenExpiresAt);
  });
});
