import { describe, expect, it } from "vitest";
import { relayLatencies } from "./subagent-bench";

const ev = (at: number, delta: string) => ({ at, data: { delta } });

describe("relayLatencies", () => {
  it("times each source delta to the client event that completes it, merged or not", () => {
    const source = [
      { delta: "ab", at: 0 },
      { delta: "c", at: 1 },
      { delta: "de", at: 2 },
    ];
    expect(relayLatencies(source, [ev(5, "ab"), ev(9, "cde")])).toEqual([5, 8, 7]);
  });

  it("stops at the first delta the client never got right", () => {
    const source = [
      { delta: "ab", at: 0 },
      { delta: "cd", at: 1 },
    ];
    expect(relayLatencies(source, [ev(3, "ab"), ev(4, "XY")])).toEqual([3]);
    expect(relayLatencies(source, [ev(3, "ab")])).toEqual([3]);
  });
});
