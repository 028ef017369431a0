import { diffArrays } from "diff";

/*
 * Line diff for the memory history (loaded with MemoryDiff, on demand): jsdiff's Myers diff over the lines, with
 * a cap on the edit length so a rewrite of a large file shows as "all removed, all added" instead of taking the
 * page's time.
 */

export type DiffLine =
  | { kind: "same"; text: string; oldNo: number; newNo: number }
  | { kind: "del"; text: string; oldNo: number }
  | { kind: "add"; text: string; newNo: number };

/** Past this many edits, the file is shown as replaced wholesale. */
const MAX_EDITS = 2_000;

export const splitLines = (text: string): string[] => {
  if (text === "") return [];
  const lines = text.split("\n");
  // A final newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === "") lines.pop();
  return lines;
};

/** `before` → `after`, line by line; `before` null means the commit created the file. */
export function diffLines(before: string | null, after: string): DiffLine[] {
  const a = splitLines(before ?? "");
  const b = splitLines(after);
  const changes = diffArrays(a, b, { maxEditLength: MAX_EDITS }) ?? [
    { value: a, removed: true, added: false, count: a.length },
    { value: b, removed: false, added: true, count: b.length },
  ];
  const out: DiffLine[] = [];
  let oldNo = 0;
  let newNo = 0;
  for (const change of changes) {
    for (const text of change.value) {
      if (change.removed) out.push({ kind: "del", text, oldNo: ++oldNo });
      else if (change.added) out.push({ kind: "add", text, newNo: ++newNo });
      else out.push({ kind: "same", text, oldNo: ++oldNo, newNo: ++newNo });
    }
  }
  return out;
}

export type DiffRow = DiffLine | { kind: "skip"; count: number };

/** Unchanged runs longer than twice `context` folded to "N unchanged lines", as review tools show a change. */
export function withContext(lines: readonly DiffLine[], context = 3): DiffRow[] {
  const changed = lines.map((line) => line.kind !== "same");
  const near = (i: number) => {
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++)
      if (changed[j]) return true;
    return false;
  };
  const rows: DiffRow[] = [];
  let skipped = 0;
  lines.forEach((line, i) => {
    if (near(i)) {
      if (skipped > 0) rows.push({ kind: "skip", count: skipped });
      skipped = 0;
      rows.push(line);
    } else skipped++;
  });
  if (skipped > 0) rows.push({ kind: "skip", count: skipped });
  return rows;
}
