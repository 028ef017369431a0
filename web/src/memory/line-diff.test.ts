import { describe, expect, it } from "vitest";
import { type DiffLine, diffLines, splitLines, withContext } from "./line-diff";

const show = (lines: DiffLine[]) =>
  lines.map((l) => `${l.kind === "add" ? "+" : l.kind === "del" ? "-" : " "}${l.text}`).join("|");

/** Applying the diff to `before` must give `after`, whatever it chose to match. */
const replay = (lines: DiffLine[]) => ({
  before: lines.filter((l) => l.kind !== "add").map((l) => l.text),
  after: lines.filter((l) => l.kind !== "del").map((l) => l.text),
});

describe("diffLines", () => {
  it("marks changed lines between unchanged ones, with both files' line numbers", () => {
    const lines = diffLines("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
    expect(show(lines)).toBe(" a|-b|+B| c| d|+e");
    expect(lines[3]).toEqual({ kind: "same", text: "c", oldNo: 3, newNo: 3 });
    expect(lines[5]).toEqual({ kind: "add", text: "e", newNo: 5 });
  });

  it("shows a created file as all added and an emptied one as all removed", () => {
    expect(show(diffLines(null, "x\ny"))).toBe("+x|+y");
    expect(show(diffLines("x\ny\n", ""))).toBe("-x|-y");
    expect(diffLines("same\n", "same\n").every((l) => l.kind === "same")).toBe(true);
  });

  it("finds a shortest edit for interleaved changes, and always replays to both files", () => {
    const cases: Array<[string, string]> = [
      ["a\nb\nc\na\nb\nb\na", "c\nb\na\nb\na\nc"],
      ["1\n2\n3\n4\n5\n6", "0\n2\n3\n7\n5\n6\n8"],
      ["x\nx\nx", "x\ny\nx\ny"],
    ];
    for (const [before, after] of cases) {
      const lines = diffLines(before, after);
      expect(replay(lines)).toEqual({ before: splitLines(before), after: splitLines(after) });
    }
    // Myers' classic example: 5 edits.
    const edits = diffLines("a\nb\nc\na\nb\nb\na", "c\nb\na\nb\na\nc").filter((l) => l.kind !== "same");
    expect(edits).toHaveLength(5);
  });

  it("replays random edits exactly", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: rand(12) }, () => "abc"[rand(3)]).join("\n");
      const after = Array.from({ length: rand(12) }, () => "abc"[rand(3)]).join("\n");
      expect(replay(diffLines(before, after))).toEqual({
        before: splitLines(before),
        after: splitLines(after),
      });
    }
  });
});

describe("withContext", () => {
  it("folds long unchanged runs, keeping three lines around each change", () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    const after = before.replace("l10", "changed");
    const rows = withContext(diffLines(before, after));
    expect(rows[0]).toEqual({ kind: "skip", count: 7 });
    expect(rows.at(-1)).toEqual({ kind: "skip", count: 6 });
    expect(rows.filter((r) => r.kind === "same")).toHaveLength(6);
  });
});
