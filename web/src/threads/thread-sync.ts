import type { QueryClient } from "@tanstack/solid-query";

/** One channel for the whole origin; each message says whose threads changed (tabs may hold different users). */
const CHANNEL = "growqr.threads";

interface ThreadsChanged {
  userId: string;
}

/**
 * Keeps the thread list of every tab of the same user current: a tab that changes its cached threads (create,
 * rename, delete, a thread named after its first message) says so on a BroadcastChannel, and the other tabs
 * refetch their thread queries. The API has no push for threads, and every local change to them is a
 * `setQueryData` on the cache, so watching the cache for such writes catches them all (also the chat's, which
 * would otherwise each need a call here). A refetch is not such a write, so the tabs do not echo each other, and
 * neither is a write of what the cache already held.
 * Returns the clean-up.
 */
export function shareThreadChanges(
  client: QueryClient,
  userId: () => string | undefined,
  threadsKey: readonly unknown[],
): () => void {
  if (typeof BroadcastChannel === "undefined") return () => {};
  const channel = new BroadcastChannel(CHANNEL);
  const isThreads = (key: readonly unknown[]) => threadsKey.every((part, i) => key[i] === part);

  // A create writes the list and the thread: one message for both.
  let pending = false;
  const announce = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      const id = userId();
      if (id) channel.postMessage({ userId: id } satisfies ThreadsChanged);
    });
  };

  // The data each thread query held after its last write. A write of equal data keeps the old reference (the
  // cache's structural sharing), so a write that changed nothing, such as "New thread" reusing an empty thread
  // after re-reading it, makes no other tab refetch.
  const held = new Map<string, unknown>();
  const unsubscribe = client.getQueryCache().subscribe((event) => {
    if (!isThreads(event.query.queryKey)) return;
    const hash = event.query.queryHash;
    if (event.type === "removed") held.delete(hash);
    if (event.type !== "updated" || event.action.type !== "success") return;
    const before = held.get(hash);
    held.set(hash, event.query.state.data);
    if (event.action.manual && before !== event.query.state.data) announce();
  });
  channel.onmessage = (message: MessageEvent<Partial<ThreadsChanged>>) => {
    const id = userId();
    if (id && message.data?.userId === id) void client.invalidateQueries({ queryKey: threadsKey });
  };
  return () => {
    unsubscribe();
    channel.close();
  };
}
