/*
 * Line diff for the memory history (loaded with MemoryDiff, on demand). No diff library is installed, and a
 * commit of one markdown file needs only lines: Myers' O((N+M)·D) shortest edit script over the lines between the
 * common head and tail, with a cap on D so a rewrite of a large file shows as "all removed, all added" instead of
 * taking the page's time.
 */

export type DiffLine =
  | { kind: "same"; text: string; oldNo: number; newNo: number }
  | { kind: "del"; text: string; oldNo: number }
  | { kind: "add"; text: string; newNo: number };

/** Past this many edits, the middle of the file is shown as replaced wholesale. */
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
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: "same", text: a[i] ?? "", oldNo: i + 1, newNo: i + 1 });
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  for (const op of middle(midA, midB)) {
    if (op.kind === "same")
      out.push({ kind: "same", text: op.text, oldNo: head + op.i + 1, newNo: head + op.j + 1 });
    else if (op.kind === "del") out.push({ kind: "del", text: op.text, oldNo: head + op.i + 1 });
    else out.push({ kind: "add", text: op.text, newNo: head + op.j + 1 });
  }
  for (let k = 0; k < tail; k++) {
    const i = a.length - tail + k;
    const j = b.length - tail + k;
    out.push({ kind: "same", text: a[i] ?? "", oldNo: i + 1, newNo: j + 1 });
  }
  return out;
}

type Op = { kind: "same" | "del" | "add"; text: string; i: number; j: number };

/** Myers' greedy forward search, keeping each round's furthest points to walk the edit script back. */
function middle(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return replaced(a, b);
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, d, offset);
    }
    v = next;
  }
  return replaced(a, b);
}

function backtrack(a: string[], b: string[], trace: Int32Array[], d: number, offset: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let round = d; round > 0; round--) {
    const prev = trace[round] ?? new Int32Array(0);
    const k = x - y;
    const down = k === -round || (k !== round && (prev[offset + k - 1] ?? 0) < (prev[offset + k + 1] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = prev[offset + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: "same", text: a[x] ?? "", i: x, j: y });
    }
    if (down) {
      y--;
      ops.push({ kind: "add", text: b[y] ?? "", i: x, j: y });
    } else {
      x--;
      ops.push({ kind: "del", text: a[x] ?? "", i: x, j: y });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    ops.push({ kind: "same", text: a[x] ?? "", i: x, j: y });
  }
  return ops.reverse();
}

const replaced = (a: string[], b: string[]): Op[] => [
  ...a.map((text, i) => ({ kind: "del" as const, text, i, j: 0 })),
  ...b.map((text, j) => ({ kind: "add" as const, text, i: 0, j })),
];

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
