import { describe, expect, it } from "vitest";
import { turnEndProblems } from "./turn-ends";

const e = (type: string, turnId: string) => ({ type, data: { turnId } });

describe("turnEndProblems", () => {
  it("accepts one end per started turn, and a failure before a start", () => {
    expect(
      turnEndProblems([e("turn.started", "a"), e("turn.completed", "a"), e("turn.failed", "b")]),
    ).toEqual([]);
  });

  it("flags a turn that never ended and one that ended twice", () => {
    expect(
      turnEndProblems([
        e("turn.started", "a"),
        e("turn.started", "b"),
        e("turn.failed", "b"),
        e("turn.interrupted", "b"),
      ]),
    ).toEqual(["turn a never ended", "turn b ended 2×"]);
  });
});
