import { For, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { formatDateTime } from "../ui/format";
import { isMemoryWaking, useMemoryHistory } from "./memory-queries";

/** Commits that changed the file, newest first: message, author, date, short sha. */
export function MemoryHistory(props: { path: string; pending: boolean }) {
  const history = useMemoryHistory(() => props.path);
  return (
    <section class="memory-history" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <Switch>
        <Match when={history.isPending && isMemoryWaking(history.failureReason)}>
          <p class="muted small" role="status" data-testid="history-waking">
            Waking your memory to read its history…
          </p>
        </Match>
        <Match when={history.isPending}>
          <p class="muted small" role="status">
            Loading history…
          </p>
        </Match>
        <Match when={history.isError}>
          <div class="error small" role="alert">
            <p>Could not load the history: {errorMessage(history.error)}</p>
            <button type="button" class="button small" onClick={() => void history.refetch()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={history.data}>
          {(commits) => (
            <Show
              when={commits().length > 0}
              fallback={
                <p class="muted small" data-testid="history-empty">
                  {props.pending
                    ? "No commits yet: the latest write is waiting to be committed."
                    : "No commits for this file."}
                </p>
              }
            >
              <ol class="commit-list" data-testid="memory-history">
                <For each={commits()}>
                  {(commit) => (
                    <li class="commit" data-testid="commit">
                      <p class="commit-message">{commit.message || "(no message)"}</p>
                      <p class="commit-meta muted small">
                        {commit.author || "unknown"} ·{" "}
                        <time datetime={commit.date}>{formatDateTime(commit.date)}</time>
                        {" · "}
                        <code title={commit.sha}>{commit.sha.slice(0, 7)}</code>
                      </p>
                    </li>
                  )}
                </For>
              </ol>
            </Show>
          )}
        </Match>
      </Switch>
    </section>
  );
}
