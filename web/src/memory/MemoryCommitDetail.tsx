import { createSignal, lazy, Match, Suspense, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { isMemoryWaking, useMemoryCommit } from "./memory-queries";

// The diff and its algorithm load when a commit is first opened: reading memory does not need them.
const MemoryDiff = lazy(() => import("./MemoryDiff"));

type View = "changes" | "file";

/** One opened commit: what it changed in the file, or the whole file as it left it. */
export function MemoryCommitDetail(props: { path: string; sha: string; id: string }) {
  const commit = useMemoryCommit(
    () => props.path,
    () => props.sha,
  );
  const [view, setView] = createSignal<View>("changes");
  const tab = (value: View, label: string) => (
    <button
      type="button"
      class="button small subtle"
      aria-pressed={view() === value}
      data-testid={`commit-view-${value}`}
      onClick={() => setView(value)}
    >
      {label}
    </button>
  );
  return (
    <div class="commit-detail" id={props.id} data-testid="commit-detail">
      <fieldset class="commit-detail-views">
        <legend class="sr-only">Show</legend>
        {tab("changes", "Changes")}
        {tab("file", "File at this commit")}
      </fieldset>
      <Switch>
        <Match when={commit.isPending && isMemoryWaking(commit.failureReason)}>
          <p class="muted small" role="status">
            Waking your memory to read this commit…
          </p>
        </Match>
        <Match when={commit.isPending}>
          <p class="muted small" role="status">
            Loading the commit…
          </p>
        </Match>
        <Match when={commit.isError}>
          <p class="error small" role="alert">
            Could not load this commit: {errorMessage(commit.error)}
          </p>
        </Match>
        <Match when={view() === "file" && commit.data}>
          {(data) => (
            <pre class="plain-file commit-file" data-testid="commit-file">
              {data().content}
            </pre>
          )}
        </Match>
        <Match when={commit.data}>
          {(data) => (
            <Suspense
              fallback={
                <p class="muted small" role="status">
                  Loading the diff…
                </p>
              }
            >
              <MemoryDiff before={data().previous} after={data().content} />
            </Suspense>
          )}
        </Match>
      </Switch>
    </div>
  );
}
