import { describe, expect, it } from "vitest";
import { UnknownKeys } from "./unknown-keys";

describe("UnknownKeys", () => {
  it("remembers a miss for the TTL only, so a key registered later works soon", () => {
    let now = 0;
    const keys = new UnknownKeys(10, 60_000, () => now);
    keys.add("a");
    expect(keys.has("a")).toBe(true);
    expect(keys.has("b")).toBe(false);
    now = 59_999;
    expect(keys.has("a")).toBe(true);
    now = 60_000;
    expect(keys.has("a")).toBe(false);
    expect(keys.size).toBe(0);
  });

  it("stays bounded under a flood of random keys, forgetting the oldest first", () => {
    const keys = new UnknownKeys(3, 60_000, () => 0);
    for (const key of ["a", "b", "c", "d", "e"]) keys.add(key);
    expect(keys.size).toBe(3);
    expect(["a", "b", "c", "d", "e"].map((key) => keys.has(key))).toEqual([false, false, true, true, true]);
    for (let i = 0; i < 10_000; i++) keys.add(`k${i}`);
    expect(keys.size).toBe(3);
  });

  it("renews a key seen again (it moves to the young end)", () => {
    let now = 0;
    const keys = new UnknownKeys(2, 100, () => now);
    keys.add("a");
    keys.add("b");
    now = 50;
    keys.add("a");
    keys.add("c");
    expect(keys.has("b")).toBe(false);
    expect(keys.has("a")).toBe(true);
    now = 120;
    expect(keys.has("a")).toBe(true);
  });
});
