import { type Accessor, createEffect, createRoot, createSignal, on, onCleanup } from "solid-js";
import type { ThreadEvent } from "../../../contract/events";
import { ApiError, api, errorMessage, unwrap } from "../api/client";
import { session } from "../auth/session";
import { agentConnection, type LiveStatus } from "./agent-connection";
import { createEventLog, hasGap, mergeEvents, turnRunningAfter } from "./event-log";

const PAGE = 500;
const PARALLEL_PAGES = 4;
/** While the live connection is down, the log is polled this often, so nothing waits for the reconnect. */
const POLL_MS = 2_000;
/**
 * A running turn silent this long on an open connection is re-read from the log: the hub drops a batch it could
 * not deliver after its retries (decision 0011), and without a later event nothing would reveal that gap.
 */
const SILENT_TURN_MS = 10_000;
/** Retry delays while a gap stays open (events broadcast but not yet in the log: normally milliseconds). */
const GAP_RETRY_MS = [100, 250, 500, 1_000, 2_000];

/**
 * Every event of one thread, gapless and without repeats, from seq 1 on: the log's pages (`GET
 * /api/threads/:id/events?after=`) merged with the live actor connection by seq. On each (re)connect, and whenever a
 * live event shows a gap, the pages after the last seq seen are fetched; events that were already seen are dropped.
 */
export interface ThreadFeed {
  threadId: string;
  /** Applied events in seq order. The array is appended to in place; the signal fires on every append. */
  events: Accessor<readonly ThreadEvent[]>;
  /** True until the thread's history up to now has been read once. */
  loading: Accessor<boolean>;
  /** A readable message when the log cannot be read (retried in the background). */
  error: Accessor<string | null>;
  live: Accessor<LiveStatus>;
  /** Fetch what may have been missed now (e.g. after sending). */
  sync(): Promise<void>;
}

function createThreadFeed(threadId: string): ThreadFeed {
  const connection = agentConnection();
  const log = createEventLog();
  const applied: ThreadEvent[] = [];
  const [events, setEvents] = createSignal<readonly ThreadEvent[]>(applied, { equals: false });
  const [loading, setLoading] = createSignal(true);
  const [error, setError] = createSignal<string | null>(null);
  let running: Promise<void> | null = null;
  let again = false;
  let gapAttempts = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  let turnRunning = false;
  let heardAt = Date.now();
  const apply = (incoming: readonly ThreadEvent[]) => {
    const ready = mergeEvents(log, incoming);
    if (ready.length === 0) return;
    turnRunning = turnRunningAfter(turnRunning, ready);
    heardAt = Date.now();
    applied.push(...ready);
    setEvents(applied);
  };

  const schedule = (ms: number) => {
    clearTimeout(retry);
    if (!closed) retry = setTimeout(() => void sync(), ms);
  };

  const page = async (after: number): Promise<ThreadEvent[]> => {
    // A JSON page (the route answers SSE only to `Accept: text/event-stream`).
    const body = unwrap(
      await api.GET("/threads/{id}/events", {
        params: { path: { id: threadId }, query: { after, limit: PAGE } },
      }),
    ) as { items: ThreadEvent[] };
    return body.items;
  };

  /** The first read of a long thread: the pages up to its last seq, a few at a time (seqs are gapless). */
  async function readHistory(): Promise<void> {
    const thread = unwrap(await api.GET("/threads/{id}", { params: { path: { id: threadId } } }));
    const starts: number[] = [];
    for (let after = log.lastSeq; after < thread.lastSeq; after += PAGE) starts.push(after);
    for (let i = 0; i < starts.length; i += PARALLEL_PAGES) {
      const pages = await Promise.all(starts.slice(i, i + PARALLEL_PAGES).map(page));
      apply(pages.flat());
    }
  }

  let first = true;
  async function pullOnce(): Promise<void> {
    for (;;) {
      const items = await page(log.lastSeq);
      apply(items);
      if (items.length < PAGE) return;
      if (first) await readHistory();
      first = false;
    }
  }

  function sync(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await pullOnce();
        } while (again && !closed);
        setError(null);
        setLoading(false);
        if (hasGap(log)) schedule(GAP_RETRY_MS[Math.min(gapAttempts++, GAP_RETRY_MS.length - 1)] ?? 2_000);
        else gapAttempts = 0;
      } catch (failure) {
        setError(errorMessage(failure));
        // A deleted thread (or someone else's) will not come back: stop asking.
        if (failure instanceof ApiError && failure.status === 404) closed = true;
        else schedule(POLL_MS);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  const offEvent = connection.onEvent((event) => {
    if (event.threadId !== threadId) return;
    apply([event]);
    if (hasGap(log)) void sync();
  });
  const offOpen = connection.onOpen(() => void sync());
  const poll = setInterval(() => {
    if (closed) return;
    if (connection.status() !== "live") return void sync();
    if (turnRunning && Date.now() - heardAt > SILENT_TURN_MS) {
      heardAt = Date.now();
      void sync();
    }
  }, POLL_MS);
  void sync();

  onCleanup(() => {
    closed = true;
    offEvent();
    offOpen();
    clearInterval(poll);
    clearTimeout(retry);
  });

  return { threadId, events, loading, error, live: connection.status, sync };
}

interface Entry {
  feed: ThreadFeed;
  users: number;
  dispose: () => void;
  idle?: ReturnType<typeof setTimeout>;
}
const feeds = new Map<string, Entry>();
/** A feed nobody watches is kept this long, so switching between chat and console does not reload it. */
const KEEP_MS = 60_000;

/** The thread's feed, shared by every view that shows the thread; call the returned release when done. */
export function acquireThreadFeed(threadId: string): { feed: ThreadFeed; release: () => void } {
  let entry = feeds.get(threadId);
  if (!entry) {
    const made = createRoot((dispose) => ({ feed: createThreadFeed(threadId), dispose }));
    entry = { ...made, users: 0 };
    feeds.set(threadId, entry);
  }
  const held = entry;
  clearTimeout(held.idle);
  held.users++;
  let released = false;
  return {
    feed: held.feed,
    release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users > 0) return;
      held.idle = setTimeout(() => {
        if (held.users > 0) return;
        held.dispose();
        feeds.delete(threadId);
      }, KEEP_MS);
    },
  };
}

/** Drops every feed (sign-out). */
export function releaseAllFeeds(): void {
  for (const entry of feeds.values()) {
    clearTimeout(entry.idle);
    entry.dispose();
  }
  feeds.clear();
}

// Another user (or nobody) signed in: nothing of the previous user's threads may stay in memory.
createRoot(() => createEffect(on(() => session()?.id, releaseAllFeeds, { defer: true })));
