import { describe, expect, it } from "vitest";
import { growAgentKey } from "./actor-keys";
import { assertCaller } from "./connection-auth";

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
