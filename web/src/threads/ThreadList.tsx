import { A } from "@solidjs/router";
import { For, Match, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { ThreadActions } from "./ThreadActions";
import { threadTitle, useStartThread, useThreads } from "./thread-queries";

/** The sidebar: a button to start a thread, then the user's threads, newest first. */
export function ThreadList() {
  const threads = useThreads();
  const { create, start } = useStartThread();

  return (
    <div class="thread-list">
      <div class="thread-list-head">
        <h2 class="sidebar-heading">Threads</h2>
        <button type="button" class="button primary small" onClick={start} disabled={create.isPending}>
          {create.isPending ? "Starting…" : "New thread"}
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
            <ul class="threads" data-testid="thread-list">
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
                    <ThreadActions thread={thread} />
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
