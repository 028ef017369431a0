import { describe, expect, it } from "vitest";
import { createEventLog, hasGap, mergeEvents, turnRunningAfter } from "./event-log";
import { ev } from "./thread-event.fixture";

describe("mergeEvents", () => {
  it("applies in-order events at once", () => {
    const log = createEventLog();
    const ready = mergeEvents(log, [ev(1, "a"), ev(2, "b"), ev(3, "c")]);
    expect(ready.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log.lastSeq).toBe(3);
    expect(hasGap(log)).toBe(false);
  });

  it("drops anything at or below the last seq seen, and repeats", () => {
    const log = createEventLog(2);
    expect(mergeEvents(log, [ev(1, "a"), ev(2, "b")])).toEqual([]);
    expect(mergeEvents(log, [ev(3, "c"), ev(3, "c")]).map((e) => e.seq)).toEqual([3]);
    expect(mergeEvents(log, [ev(3, "c")])).toEqual([]);
  });

  it("holds events past a gap until the gap is filled, then releases all in order", () => {
    const log = createEventLog();
    expect(mergeEvents(log, [ev(1, "a")]).map((e) => e.seq)).toEqual([1]);
    // live events 4 and 5 arrive while 2 and 3 were missed (connection dropped)
    expect(mergeEvents(log, [ev(5, "e"), ev(4, "d")])).toEqual([]);
    expect(hasGap(log)).toBe(true);
    // the resume page (after=1) repeats 4 and 5
    const ready = mergeEvents(log, [ev(2, "b"), ev(3, "c"), ev(4, "d"), ev(5, "e")]);
    expect(ready.map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    expect(hasGap(log)).toBe(false);
    expect(log.lastSeq).toBe(5);
  });

  it("a resume page that overlaps live events yields every seq exactly once", () => {
    const log = createEventLog();
    const seen: number[] = [];
    const all = Array.from({ length: 30 }, (_, i) => ev(i + 1, "x"));
    // history page 1..10, live 8..14 (overlap), drop, live 20..25 (gap), resume page 11..30
    seen.push(...mergeEvents(log, all.slice(0, 10)).map((e) => e.seq));
    seen.push(...mergeEvents(log, all.slice(7, 14)).map((e) => e.seq));
    seen.push(...mergeEvents(log, all.slice(19, 25)).map((e) => e.seq));
    expect(hasGap(log)).toBe(true);
    seen.push(...mergeEvents(log, all.slice(10)).map((e) => e.seq));
    expect(seen).toEqual(all.map((e) => e.seq));
  });

  it("ignores events without an integer seq", () => {
    const log = createEventLog();
    expect(mergeEvents(log, [{ ...ev(1, "a"), seq: Number.NaN }])).toEqual([]);
    expect(hasGap(log)).toBe(false);
  });
});

describe("turnRunningAfter", () => {
  it("is true from a turn's start until any of its ends", () => {
    expect(turnRunningAfter(false, [ev(1, "message.user"), ev(2, "turn.started"), ev(3, "text.delta")])).toBe(
      true,
    );
    for (const end of ["turn.completed", "turn.cancelled", "turn.failed", "turn.interrupted"]) {
      expect(turnRunningAfter(true, [ev(4, end)]), end).toBe(false);
    }
    expect(turnRunningAfter(true, [])).toBe(true);
    expect(turnRunningAfter(false, [ev(5, "turn.completed"), ev(6, "turn.started")])).toBe(true);
  });
});
