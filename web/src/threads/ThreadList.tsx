import { A } from "@solidjs/router";
import { createMemo, createSignal, For, lazy, Match, onCleanup, Show, Suspense, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { markThreadsPainted } from "../ui/first-paint";
import { filterByTitle, type GroupLabel, groupByDate, nextLocalDay } from "./thread-groups";
import { type Thread, threadTitle, useStartThread, useThreads } from "./thread-queries";

// The ⋯ menu brings Kobalte (menu, dialogs, positioning): it loads once the list is on screen, not before it, so the
// first paint of the threads waits for none of it.
const ThreadActions = lazy(() => import("./ThreadActions").then((m) => ({ default: m.ThreadActions })));

/** The sidebar: a button to start a thread, a search over the titles, then the threads by day, newest first. */
export function ThreadList() {
  const threads = useThreads();
  const { create, start, starting } = useStartThread();
  const [query, setQuery] = createSignal("");
  const today = useToday();

  const groups = createMemo(() =>
    groupByDate(filterByTitle(threads.data ?? [], query(), threadTitle), today()),
  );
  // The sections are keyed by their label (a string), so a change to one thread re-renders its row, not the list.
  const labels = createMemo(() => groups().map((group) => group.label), undefined, {
    equals: (a, b) => a.join() === b.join(),
  });
  // A search left in the box would hide the new thread.
  const startClearingSearch = () => {
    setQuery("");
    void start();
  };
  const threadsOf = (label: GroupLabel) => groups().find((group) => group.label === label)?.threads ?? [];

  return (
    <div class="thread-list">
      <div class="thread-list-head">
        <h2 class="sidebar-heading">Threads</h2>
        <button
          type="button"
          class="button primary small"
          onClick={startClearingSearch}
          disabled={starting()}
        >
          {starting() ? "Starting…" : "New thread"}
        </button>
      </div>
      {create.error && (
        <p role="alert" class="error small">
          {errorMessage(create.error)}
        </p>
      )}
      <Switch>
        <Match when={threads.isPending}>
          <p class="muted small" role="status">
            Loading threads…
          </p>
        </Match>
        <Match when={threads.isError}>
          <div role="alert" class="error small">
            <p>{errorMessage(threads.error)}</p>
            <button type="button" class="button small" onClick={() => void threads.refetch()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={threads.data}>
          {(list) => (
            <div data-testid="thread-list" ref={markThreadsPainted}>
              <Show
                when={list().length > 0}
                fallback={
                  <p class="muted small empty-threads">No threads yet. Start one to talk to your agent.</p>
                }
              >
                <input
                  type="search"
                  class="thread-search"
                  aria-label="Search threads"
                  placeholder="Search threads"
                  value={query()}
                  onInput={(event) => setQuery(event.currentTarget.value)}
                />
                <For each={labels()}>
                  {(label) => (
                    <section class="thread-group" aria-label={label}>
                      <h3 class="thread-group-heading">{label}</h3>
                      <ul class="threads">
                        <For each={threadsOf(label)}>{(thread) => <ThreadRow thread={thread} />}</For>
                      </ul>
                    </section>
                  )}
                </For>
                <Show when={labels().length === 0}>
                  <p class="muted small empty-threads" role="status">
                    No thread titles match “{query().trim()}”.
                  </p>
                </Show>
              </Show>
            </div>
          )}
        </Match>
      </Switch>
    </div>
  );
}

function ThreadRow(props: { thread: Thread }) {
  return (
    <li class="thread-row">
      <A
        href={`/threads/${props.thread.id}`}
        class="thread-link"
        activeClass="active"
        end={false}
        title={threadTitle(props.thread)}
      >
        {threadTitle(props.thread)}
      </A>
      <Suspense fallback={<span class="thread-menu-placeholder" />}>
        <ThreadActions thread={props.thread} />
      </Suspense>
    </li>
  );
}

/** Now, refreshed at the next local midnight: a tab left open overnight moves "Today" to "Yesterday". */
function useToday() {
  const [now, setNow] = createSignal(new Date());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    timer = setTimeout(() => {
      setNow(new Date());
      arm();
    }, nextLocalDay(now()).getTime() - Date.now());
  };
  arm();
  onCleanup(() => clearTimeout(timer));
  return now;
}
