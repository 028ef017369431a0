import { describe, expect, it } from "vitest";
import { ThreadTracker } from "./thread-tracker";

const ev = (seq: number, type = "text.delta") => ({ seq, type });

describe("ThreadTracker", () => {
  it("accepts a gapless live stream that equals the log", () => {
    const t = new ThreadTracker();
    for (const s of [1, 2, 3]) expect(t.live(ev(s))).toBe("accepted");
    expect(t.compare([ev(1), ev(2), ev(3)])).toEqual([]);
  });

  it("reports a gap, fills it from the log and drops the live overlap that follows", () => {
    const t = new ThreadTracker();
    t.live(ev(1));
    expect(t.live(ev(4))).toBe("gap");
    t.resume([ev(2), ev(3), ev(4), ev(5)]);
    expect(t.live(ev(4))).toBe("dropped");
    expect(t.live(ev(6))).toBe("accepted");
    expect(t.overlapDropped).toBe(1);
    expect(t.compare([ev(1), ev(2), ev(3), ev(4), ev(5), ev(6)])).toEqual([]);
  });

  it("flags a duplicate broadcast, missing events and a changed order", () => {
    const t = new ThreadTracker();
    t.live(ev(1));
    t.live(ev(1));
    t.live(ev(2, "turn.completed"));
    const problems = t.compare([ev(1), ev(2, "text.delta"), ev(3)]);
    expect(problems).toContain("1 duplicate broadcasts");
    expect(problems).toContain("client has 2 events, the log 3");
    expect(problems.some((p) => p.startsWith("at 1:"))).toBe(true);
  });
});
