import { createSignal, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { Markdown } from "../chat/Markdown";
import { MemoryEditor } from "./MemoryEditor";
import { MemoryHistory } from "./MemoryHistory";
import {
  isMarkdown,
  isMemoryWaking,
  isMissing,
  type MemoryWriteResult,
  pathProblem,
  useMemoryFile,
} from "./memory-queries";

type Mode = "view" | "edit" | "create";

/** One file (remounted per path): rendered markdown (or plain text), Edit → commit, and its history. */
export function MemoryFileView(props: { path: string }) {
  const file = useMemoryFile(() => props.path);
  const [mode, setMode] = createSignal<Mode>("view");
  const [saved, setSaved] = createSignal<MemoryWriteResult | null>(null);

  const done = (result: MemoryWriteResult) => {
    setSaved(result);
    setMode("view");
  };
  const edit = () => {
    setSaved(null);
    setMode("edit");
  };

  return (
    <article class="memory-file" aria-labelledby="memory-file-title" data-testid="memory-file">
      <header class="memory-file-head">
        <h2 id="memory-file-title" class="memory-path" data-testid="memory-file-path">
          {props.path}
        </h2>
        <Show when={file.data?.source === "pending"}>
          <span class="badge queued" data-testid="memory-pending">
            pending: waiting to be committed
          </span>
        </Show>
        <Show when={file.data && mode() === "view"}>
          <button type="button" class="button small" onClick={edit} data-testid="memory-edit">
            Edit
          </button>
        </Show>
      </header>
      <Show when={saved()}>
        {(result) => (
          <p
            class={`saved-note ${result().status}`}
            role="status"
            data-testid="memory-saved"
            data-status={result().status}
          >
            {result().status === "pending"
              ? "Saved, pending: git is not reachable right now; it will be committed as soon as it is."
              : `Committed${result().commitSha ? ` ${result().commitSha?.slice(0, 7)}` : ""}.`}
          </p>
        )}
      </Show>
      <Switch>
        <Match when={mode() === "create"}>
          <MemoryEditor
            path={props.path}
            initial=""
            creating
            onDone={done}
            onCancel={() => setMode("view")}
          />
        </Match>
        <Match when={file.isPending && isMemoryWaking(file.failureReason)}>
          <p class="muted" role="status" data-testid="memory-waking">
            Your memory is waking up (its machine was asleep)…
          </p>
        </Match>
        <Match when={file.isPending}>
          <p class="muted" role="status">
            Loading file…
          </p>
        </Match>
        <Match when={file.isError && pathProblem(file.error)}>
          {(problem) => (
            <p class="error" role="alert" data-testid="memory-error">
              {problem()}
            </p>
          )}
        </Match>
        <Match when={file.isError && isMissing(file.error)}>
          <div class="placeholder empty" data-testid="memory-missing">
            <p>There is no file at this path yet.</p>
            <button type="button" class="button primary" onClick={() => setMode("create")}>
              Create it
            </button>
          </div>
        </Match>
        <Match when={file.isError}>
          <div class="error" role="alert" data-testid="memory-error">
            <p>Could not open the file: {errorMessage(file.error)}</p>
            <button type="button" class="button small" onClick={() => void file.refetch()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={mode() === "edit" && file.data}>
          {(current) => (
            <MemoryEditor
              path={props.path}
              initial={current().content}
              creating={false}
              onDone={done}
              onCancel={() => setMode("view")}
            />
          )}
        </Match>
        <Match when={file.data}>
          {(current) => (
            <div class="memory-content" data-testid="memory-content">
              <Show when={current().content.trim()} fallback={<p class="muted">This file is empty.</p>}>
                <Show
                  when={isMarkdown(props.path)}
                  fallback={<pre class="plain-file">{current().content}</pre>}
                >
                  <Markdown text={current().content} />
                </Show>
              </Show>
            </div>
          )}
        </Match>
      </Switch>
      <Show when={file.data}>
        <MemoryHistory path={props.path} pending={file.data?.source === "pending"} />
      </Show>
    </article>
  );
}
