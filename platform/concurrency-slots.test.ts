import { describe, expect, it } from "vitest";
import { ConcurrencySlots } from "./concurrency-slots";

describe("ConcurrencySlots", () => {
  it("refuses the slot past the limit per key, and gives it back when one is released", () => {
    const slots = new ConcurrencySlots(2);
    const first = slots.acquire("alice");
    const second = slots.acquire("alice");
    expect(first && second).toBeTruthy();
    expect(slots.acquire("alice")).toBeUndefined();
    // Another key has its own slots.
    expect(slots.acquire("bob")).toBeDefined();
    first?.();
    expect(slots.acquire("alice")).toBeDefined();
    expect(slots.acquire("alice")).toBeUndefined();
  });

  it("frees a slot once however often its release is called", () => {
    const slots = new ConcurrencySlots(2);
    const release = slots.acquire("alice");
    slots.acquire("alice");
    release?.();
    release?.();
    expect(slots.heldBy("alice")).toBe(1);
  });
});
