import { describe, expect, it } from "vitest";
import { MemoryCache } from "./memory-cache";

describe("MemoryCache (L1)", () => {
  it("evicts the least recently used entry beyond its capacity", () => {
    const cache = new MemoryCache(2);
    cache.set("a", "1");
    cache.set("b", "2");
    cache.get("a");
    cache.set("c", "3");
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.content).toBe("1");
    expect(cache.get("c")?.content).toBe("3");
    expect(cache.size).toBe(2);
  });

  it("forgets entries older than its ttl, and remembers missing files too", () => {
    let now = 0;
    const cache = new MemoryCache(10, 1_000, () => now);
    cache.set("gone", null);
    expect(cache.get("gone")).toEqual({ content: null, storedAt: 0 });
    now = 1_001;
    expect(cache.get("gone")).toBeUndefined();
  });
});
