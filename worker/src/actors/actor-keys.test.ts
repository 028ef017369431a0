import { describe, expect, it } from "vitest";
import { assertOwnsKey, growAgentKey, keyOwner, serializeKey, subAgentKey } from "./actor-keys";

const alice = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b";
const bob = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5c";

describe("actor keys", () => {
  it("belong to the user in their first part", () => {
    expect(keyOwner("growAgent", growAgentKey(alice))).toBe(alice);
    expect(keyOwner("subAgent", subAgentKey(alice, "task-1"))).toBe(alice);
  });

  it.each([
    ["growAgent", [alice, "extra"]],
    ["growAgent", []],
    ["growAgent", ["not-a-uuid"]],
    ["subAgent", [alice]],
    ["subAgent", [alice, "../x"]],
    ["subAgent", [alice, "a".repeat(65)]],
    ["subAgent", [alice, "ok", "extra"]],
  ] as const)("%s key %j belongs to nobody", (type, key) => {
    expect(keyOwner(type, key)).toBeUndefined();
  });

  it("refuses another user's key with one forbidden error", () => {
    expect(() => assertOwnsKey("growAgent", growAgentKey(alice), alice)).not.toThrow();
    expect(() => assertOwnsKey("growAgent", growAgentKey(alice), bob)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => assertOwnsKey("subAgent", subAgentKey(alice, "t"), bob)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
  });

  it("serialises keys unambiguously", () => {
    expect(serializeKey(["a,b"])).not.toBe(serializeKey(["a", "b"]));
  });
});
