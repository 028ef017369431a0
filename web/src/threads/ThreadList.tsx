import { A } from "@solidjs/router";
import { For, lazy, Match, Suspense, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { markThreadsPainted } from "../ui/first-paint";
import { threadTitle, useStartThread, useThreads } from "./thread-queries";

// The ⋯ menu brings Kobalte (menu, dialogs, positioning): it loads once the list is on screen, not before it, so the
// first paint of the threads waits for none of it.
const ThreadActions = lazy(() => import("./ThreadActions").then((m) => ({ default: m.ThreadActions })));

/** The sidebar: a button to start a thread, then the user's threads, newest first. */
export function ThreadList() {
  const threads = useThreads();
  const { create, start, starting } = useStartThread();

  return (
    <div class="thread-list">
      <div class="thread-list-head">
        <h2 class="sidebar-heading">Threads</h2>
        <button type="button" class="button primary small" onClick={start} disabled={starting()}>
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
            <ul class="threads" data-testid="thread-list" ref={markThreadsPainted}>
              <For
                each={list()}
                fallback={
                  <li class="muted small empty-threads">No threads yet. Start one to talk to your agent.</li>
                }
              >
                {(thread) => (
                  <li class="thread-row">
                    <A
                      href={`/threads/${thread.id}`}
                      class="thread-link"
                      activeClass="active"
                      end={false}
                      title={threadTitle(thread)}
                    >
                      {threadTitle(thread)}
                    </A>
                    <Suspense fallback={<span class="thread-menu-placeholder" />}>
                      <ThreadActions thread={thread} />
                    </Suspense>
                  </li>
                )}
              </For>
            </ul>
          )}
        </Match>
      </Switch>
    </div>
  );
}
