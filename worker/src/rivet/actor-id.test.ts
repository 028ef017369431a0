import { describe, expect, it } from "vitest";
import { buildActorId, parseActorId, serializeKey, serializeNameAndKey } from "./actor-id";

const DO_ID = "a".repeat(64);

describe("serializeNameAndKey", () => {
  it("is deterministic and distinguishes names and keys", () => {
    expect(serializeNameAndKey("counter", ["a"])).toBe(serializeNameAndKey("counter", ["a"]));
    expect(serializeNameAndKey("counter", ["a"])).not.toBe(serializeNameAndKey("counter", ["b"]));
    expect(serializeNameAndKey("counter", ["a"])).not.toBe(serializeNameAndKey("other", ["a"]));
  });

  it("cannot be confused by separators inside key parts or names", () => {
    expect(serializeKey(["a,b"])).not.toBe(serializeKey(["a", "b"]));
    expect(serializeKey(["a\\", "b"])).not.toBe(serializeKey(["a\\,b"]));
    expect(serializeNameAndKey("a:b", ["c"])).not.toBe(serializeNameAndKey("a", ["b:c"]));
  });

  it("keeps the empty key apart from a key that spells the marker", () => {
    expect(serializeKey([])).toBe("(none)");
    expect(serializeKey(["(none)"])).not.toBe(serializeKey([]));
    expect(serializeKey([""])).not.toBe(serializeKey([]));
  });
});

describe("actor ids", () => {
  it("round-trips doId and generation", () => {
    expect(parseActorId(buildActorId(DO_ID, 0))).toEqual({ doId: DO_ID, generation: 0 });
    expect(parseActorId(buildActorId(DO_ID, 17))).toEqual({ doId: DO_ID, generation: 17 });
  });

  it("rejects ids it did not issue", () => {
    for (const bad of [
      "",
      "x",
      `${DO_ID}`,
      `${DO_ID}:`,
      `${DO_ID}:-1`,
      `${DO_ID}:01`,
      `${DO_ID}:1:2`,
      "zz:1",
    ]) {
      expect(parseActorId(bad), bad).toBeUndefined();
    }
  });
});

describe("scopes", () => {
  it("keep the unscoped name unchanged and separate scopes from each other", () => {
    expect(serializeNameAndKey("counter", ["a"], "")).toBe(serializeNameAndKey("counter", ["a"]));
    expect(serializeNameAndKey("counter", ["a"], "t1")).not.toBe(serializeNameAndKey("counter", ["a"], "t2"));
    expect(serializeNameAndKey("counter", ["a"], "t1")).not.toBe(serializeNameAndKey("counter", ["a"]));
    expect(serializeNameAndKey("b", ["c"], "a")).not.toBe(serializeNameAndKey("a::b", ["c"]));
  });
});
