import { describe, expect, it } from "vitest";
import { EdgeOutages } from "./faults";

describe("EdgeOutages", () => {
  it("cuts one machine or a whole image for its window, and ends early on 0", () => {
    let now = 1_000;
    const outages = new EdgeOutages(() => now);
    outages.set({ machineId: "m1" }, 500);
    expect(outages.cuts("m1", "gitea")).toBe(true);
    expect(outages.cuts("m2", "gitea")).toBe(false);
    now = 1_500;
    expect(outages.cuts("m1", "gitea")).toBe(false);

    outages.set({ image: "gitea" }, 1_000);
    expect(outages.cuts("m2", "gitea")).toBe(true);
    expect(outages.cuts("m3", "opencode")).toBe(false);
    outages.set({ image: "gitea" }, 0);
    expect(outages.cuts("m2", "gitea")).toBe(false);
  });
});
