import { describe, expect, it } from "vitest";
import type { TurnItem } from "./chat-model";
import { announceEnd, describeFailure } from "./turn-wording";

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

describe("announceEnd", () => {
  const turn = (over: Partial<TurnItem>): TurnItem => ({
    kind: "turn",
    id: "t",
    seq: 1,
    at: "",
    messageId: "m",
    model: "x",
    status: "completed",
    blocks: [],
    failure: null,
    stopReason: "end_turn",
    inputTokens: 0,
    outputTokens: 0,
    ...over,
  });
  it("reads a finished reply's text, plain and cut at a word", () => {
    const text = { kind: "text" as const, key: "0:0" };
    expect(announceEnd(turn({ blocks: [{ ...text, text: "Some **bold** and `code`." }] }))).toBe(
      "The agent replied: Some bold and code .",
    );
    const long = announceEnd(turn({ blocks: [{ ...text, text: "word ".repeat(100) }] }));
    expect(long).toMatch(/^The agent replied: (word ){30,}word…$/);
    expect(long.length).toBeLessThan(230);
  });
  it("says how a reply ended otherwise", () => {
    expect(announceEnd(turn({ status: "cancelled" }))).toBe("Cancelled: the reply was stopped.");
    expect(announceEnd(turn({ stopReason: "max_tokens" }))).toBe(
      "The agent replied. The reply hit the length limit.",
    );
  });
});
