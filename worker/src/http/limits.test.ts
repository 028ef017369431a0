import { describe, expect, it } from "vitest";
import { MAX_MEMORY_BODY_BYTES, MAX_RIVET_ACTION_BODY_BYTES } from "./limits";

describe("limits", () => {
  it("lets an actor action over HTTP carry what the REST API accepts as a memory write", () => {
    expect(MAX_RIVET_ACTION_BODY_BYTES).toBe(MAX_MEMORY_BODY_BYTES);
  });
});
