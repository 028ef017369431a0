import { describe, expect, it } from "vitest";
import { internalCredentialLifetimeMs, internalParams, verifyInternalParams } from "./internal-auth";

const env = { ACTOR_INTERNAL_KEY: "dGVzdC1rZXktdGhhdC1pcy1sb25nLWVub3VnaC0zMmJ5dGVz" };
const alice = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b";
const bob = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5c";
const now = 1_800_000_000_000;

/** Replaces one dot-separated field of a credential, keeping its MAC. */
const withField = (internal: string, index: number, value: string) =>
  internal
    .split(".")
    .map((part, i) => (i === index ? value : part))
    .join(".");

describe("internal actor credentials", () => {
  it("open the named actor type of the named user until they expire", async () => {
    const params = await internalParams(env, alice, "growAgent", now);
    expect(await verifyInternalParams(env, params, "growAgent", now)).toEqual({
      userId: alice,
      expiresAt: expect.any(Number),
    });
    const caller = await verifyInternalParams(env, params, "growAgent", now);
    // Whole seconds, at most the lifetime ahead, never more.
    expect(caller?.expiresAt).toBeLessThanOrEqual(now + internalCredentialLifetimeMs(env));
    expect(caller?.expiresAt).toBeGreaterThan(now + internalCredentialLifetimeMs(env) - 1_000);
  });

  it("are refused once expired", async () => {
    const params = await internalParams(env, alice, "growAgent", now);
    const expiresAt = (await verifyInternalParams(env, params, "growAgent", now))?.expiresAt ?? 0;
    expect(await verifyInternalParams(env, params, "growAgent", expiresAt - 1)).toBeDefined();
    expect(await verifyInternalParams(env, params, "growAgent", expiresAt)).toBeUndefined();
  });

  it("are refused by another actor type than the one they were minted for", async () => {
    const forSubAgent = await internalParams(env, alice, "subAgent", now);
    expect(await verifyInternalParams(env, forSubAgent, "growAgent", now)).toBeUndefined();
    expect(await verifyInternalParams(env, forSubAgent, "subAgent", now)).toMatchObject({ userId: alice });
    // Relabelling the audience breaks the MAC.
    const relabelled = { internal: withField(forSubAgent.internal, 2, "growAgent") };
    expect(await verifyInternalParams(env, relabelled, "growAgent", now)).toBeUndefined();
  });

  it("cannot be moved to another user or given a later expiry", async () => {
    const { internal } = await internalParams(env, alice, "growAgent", now);
    expect(await verifyInternalParams(env, { internal: withField(internal, 1, bob) }, "growAgent", now)).toBe(
      undefined,
    );
    const later = String(Number(internal.split(".")[3]) + 3_600);
    expect(
      await verifyInternalParams(env, { internal: withField(internal, 3, later) }, "growAgent", now),
    ).toBe(undefined);
  });

  it("refuses a tampered MAC, another key's credential and malformed params", async () => {
    const { internal } = await internalParams(env, alice, "growAgent", now);
    const mac = internal.split(".")[4] ?? "";
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === "A" ? "B" : "A"}${mac.at(-1)}`;
    expect(
      await verifyInternalParams(env, { internal: withField(internal, 4, flipped) }, "growAgent", now),
    ).toBe(undefined);
    const otherKey = await internalParams(
      { ACTOR_INTERNAL_KEY: "another-secret-that-is-32-chars-or-more" },
      alice,
      "growAgent",
      now,
    );
    expect(await verifyInternalParams(env, otherKey, "growAgent", now)).toBeUndefined();
    for (const params of [
      undefined,
      {},
      { internal: 42 },
      { internal: "" },
      { internal: internal.replace(/^v1/, "v2") },
      { internal: `${internal}.extra` },
      { internal: withField(internal, 4, "not*base64") },
      { internal: withField(internal, 3, "1e12") },
      // The old format: an HMAC of the user id alone, with no audience or expiry.
      { internal: mac, userId: alice },
    ]) {
      expect(await verifyInternalParams(env, params, "growAgent", now)).toBeUndefined();
    }
    // Without the secret nothing verifies, whatever is presented.
    expect(await verifyInternalParams({}, { internal }, "growAgent", now)).toBeUndefined();
  });

  it("outlive the longest actor-to-actor connection, a sub-agent's relay (its timeout plus a margin)", () => {
    expect(internalCredentialLifetimeMs(env)).toBe((900 + 300) * 1_000);
    expect(internalCredentialLifetimeMs({ ...env, AGENT_SUBAGENT_TIMEOUT_SECONDS: "3600" })).toBe(
      (3_600 + 300) * 1_000,
    );
  });
});
