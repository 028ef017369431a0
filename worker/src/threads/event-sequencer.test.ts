import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventSequencer } from "./event-sequencer";

const ev = (seq: number) => ({ seq, tag: `e${seq}` });
const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);

describe("EventSequencer", () => {
  it("releases the backlog and then live events in order", () => {
    const s = new EventSequencer(0);
    expect(seqs(s.accept([ev(1), ev(2)]))).toEqual([1, 2]);
    expect(seqs(s.accept([ev(3)]))).toEqual([3]);
    expect(s.lastSeq).toBe(3);
    expect(s.hasGap).toBe(false);
  });

  it("holds a live event that arrives before the backlog, and releases both once the log is read", () => {
    const s = new EventSequencer(2);
    expect(s.accept([ev(5)])).toEqual([]);
    expect(s.hasGap).toBe(true);
    expect(seqs(s.accept([ev(3), ev(4), ev(5)]))).toEqual([3, 4, 5]);
    expect(s.hasGap).toBe(false);
  });

  it("never repeats an event that both sources bring, nor one at or before the resume point", () => {
    const s = new EventSequencer(3);
    expect(s.accept([ev(2), ev(3)])).toEqual([]);
    expect(seqs(s.accept([ev(4), ev(4)]))).toEqual([4]);
    expect(s.accept([ev(4)])).toEqual([]);
  });

  it("ignores a seq that is not a safe integer", () => {
    const s = new EventSequencer(0);
    expect(s.accept([{ seq: Number.NaN }, { seq: 1.5 }])).toEqual([]);
    expect(s.hasGap).toBe(false);
  });

  it("says when too many events wait behind a gap", () => {
    const s = new EventSequencer(0);
    s.accept(Array.from({ length: 5_001 }, (_, i) => ev(i + 2)));
    expect(s.overflowing).toBe(true);
  });

  it("whatever the interleaving of log reads and pushes, releases each seq exactly once and in order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }), { maxLength: 12 }),
        (total, pushes) => {
          const s = new EventSequencer(0);
          const released: number[] = [];
          for (const batch of pushes) released.push(...seqs(s.accept(batch.map(ev))));
          // The log read at the end holds everything up to `total`.
          released.push(...seqs(s.accept(Array.from({ length: total }, (_, i) => ev(i + 1)))));
          const expected = Array.from({ length: Math.max(total, ...released) }, (_, i) => i + 1);
          expect(released).toEqual(expected.slice(0, released.length));
          expect(new Set(released).size).toBe(released.length);
          expect(released.length).toBeGreaterThanOrEqual(total);
        },
      ),
    );
  });
});
