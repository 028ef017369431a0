import type { QueryClient } from "@tanstack/solid-query";

export const threadKeys = {
  list: ["threads"] as const,
  one: (id: string) => ["threads", id] as const,
};

/**
 * A deleted thread leaves the cache. The thread's own entry is written empty first: a write the other tabs hear of
 * (thread-sync.ts) even when the list did not hold the thread, so the list write changed nothing.
 */
export function forgetThread(client: QueryClient, id: string): void {
  client.setQueryData(threadKeys.list, (list: Array<{ id: string }> | undefined) =>
    list?.filter((t) => t.id !== id),
  );
  client.setQueryData(threadKeys.one(id), null);
  client.removeQueries({ queryKey: threadKeys.one(id) });
}
