import { describe, expect, it } from "vitest";
import { describeFailure } from "./turn-wording";

describe("describeFailure", () => {
  it("never shows a raw payload as the failure text", () => {
    expect(describeFailure({ code: "model_overloaded", message: '{"type":"error"}', retryable: true })).toBe(
      "The model is overloaded right now; try again in a moment.",
    );
    expect(describeFailure({ code: "weird_thing", message: "", retryable: false })).toBe(
      "The reply failed (weird thing).",
    );
    expect(describeFailure({ code: "turn_failed", message: "It broke", retryable: true })).toBe(
      "It broke. You can try again.",
    );
  });
});
