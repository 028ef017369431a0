export interface ListEntry {
  path: string;
  type: "file" | "dir";
  size: number;
  pending?: boolean;
}

/**
 * A directory listing with more files laid over it: each file directly under `base` is added (or its size
 * updated), and a file deeper down adds its first directory if the listing has none yet. `pending` marks what the
 * files are: writes still waiting for git (a read after a write never misses them), or, unmarked, committed
 * versions from L2 (a listing while the user's Gitea machine sleeps). `base` is the listed directory with a
 * trailing slash ("" = root). Sorted by path.
 */
export function withFiles(
  listed: ListEntry[],
  base: string,
  files: Array<{ path: string; size: number }>,
  pending: boolean,
): ListEntry[] {
  const entries = listed.map((e) => ({ ...e }));
  const mark = pending ? { pending: true } : {};
  for (const file of files) {
    const rest = file.path.slice(base.length);
    const [first = "", ...deeper] = rest.split("/");
    const path = `${base}${first}`;
    const existing = entries.find((e) => e.path === path);
    if (deeper.length > 0) {
      if (!existing) entries.push({ path, type: "dir", size: 0, ...mark });
    } else if (existing) {
      Object.assign(existing, mark);
      existing.size = file.size;
    } else {
      entries.push({ path, type: "file", size: file.size, ...mark });
    }
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}

/** `withFiles` for the newest waiting write of each path under `base`. */
export const withPendingWrites = (
  listed: ListEntry[],
  base: string,
  pending: Array<{ path: string; content: string }>,
): ListEntry[] =>
  withFiles(
    listed,
    base,
    pending.map((write) => ({ path: write.path, size: write.content.length })),
    true,
  );
