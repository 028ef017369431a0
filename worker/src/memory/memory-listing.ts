export interface ListEntry {
  path: string;
  type: "file" | "dir";
  size: number;
  pending?: boolean;
}

/**
 * A directory listing from git with the writes still waiting for it laid over: a waiting file is marked `pending`
 * with its new size (or added), and a waiting file deeper down adds its first directory if git has none yet, so a
 * read after a write never misses it. `base` is the listed directory with a trailing slash ("" = root); `pending`
 * holds the newest waiting write of each path under it. Sorted by path.
 */
export function withPendingWrites(
  listed: ListEntry[],
  base: string,
  pending: Array<{ path: string; content: string }>,
): ListEntry[] {
  const entries = listed.map((e) => ({ ...e }));
  for (const write of pending) {
    const rest = write.path.slice(base.length);
    const [first = "", ...deeper] = rest.split("/");
    const path = `${base}${first}`;
    const existing = entries.find((e) => e.path === path);
    if (deeper.length > 0) {
      if (!existing) entries.push({ path, type: "dir", size: 0, pending: true });
    } else if (existing) {
      existing.pending = true;
      existing.size = write.content.length;
    } else {
      entries.push({ path, type: "file", size: write.content.length, pending: true });
    }
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}
