import { describe, expect, it } from "vitest";
import { isTokenRefusal, lookupVerdict, MAX_REBUILD_DELAY_MS, rebuildDelay } from "./manager-lookup";

/** A failed lookup as RivetKit's client throws it: the guard's `{ group, code, message }` on an ActorError. */
const refused = (group: string, code: string) =>
  Object.assign(new Error(`${group}.${code}`), { group, code, __type: "ActorError" });

describe("a failed actor lookup", () => {
  it("replaces the client only when the guard refused its token", () => {
    for (const code of ["token_expired", "invalid_token", "missing_token"])
      expect(isTokenRefusal(refused("user", code)), code).toBe(true);
    // The outages the same client rides out (RivetKit retries them with a fresh attempt each time).
    expect(isTokenRefusal(refused("user", "unavailable"))).toBe(false); // 503, database down
    expect(isTokenRefusal(refused("user", "rate_limited"))).toBe(false); // 429
    expect(isTokenRefusal(refused("user", "forbidden"))).toBe(false); // not this user's actor: no token helps
    expect(isTokenRefusal(refused("rivetkit", "internal_error"))).toBe(false);
    expect(isTokenRefusal(new Error("HTTP request error: Request failed: TypeError: Failed to fetch"))).toBe(
      false,
    );
    expect(isTokenRefusal(undefined)).toBe(false);
    expect(isTokenRefusal("token_expired")).toBe(false);
  });

  it("rebuilds at once the first time, then backs off up to 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(rebuildDelay)).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    expect(rebuildDelay(60)).toBe(MAX_REBUILD_DELAY_MS);
  });

  it("says nothing about the routine case, an expired token the first time since the connection was open", () => {
    expect(lookupVerdict(refused("user", "token_expired"), 0)).toEqual({
      rebuild: true,
      afterMs: 0,
      quiet: true,
    });
    // A fresh token refused as expired too (a clock far off) is worth showing.
    expect(lookupVerdict(refused("user", "token_expired"), 1)).toEqual({
      rebuild: true,
      afterMs: 1_000,
      quiet: false,
    });
    expect(lookupVerdict(refused("user", "invalid_token"), 0)).toEqual({
      rebuild: true,
      afterMs: 0,
      quiet: false,
    });
    expect(lookupVerdict(refused("user", "unavailable"), 3)).toEqual({ rebuild: false });
  });
});
