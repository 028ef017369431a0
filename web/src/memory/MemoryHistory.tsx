import { createSignal, For, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { formatDateTime } from "../ui/format";
import { MemoryCommitDetail } from "./MemoryCommitDetail";
import { isMemoryWaking, type MemoryCommit, useMemoryHistory, useRestoreMemory } from "./memory-queries";

/**
 * Commits that changed the file, newest first: message, author (the user or "Grow Agent"), date, short sha. Each
 * opens to its diff or the file as it left it; an older one can be restored.
 */
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
                  {(commit, index) => <CommitRow path={props.path} commit={commit} newest={index() === 0} />}
                </For>
              </ol>
            </Show>
          )}
        </Match>
      </Switch>
    </section>
  );
}

function CommitRow(props: { path: string; commit: MemoryCommit; newest: boolean }) {
  const [open, setOpen] = createSignal(false);
  const restore = useRestoreMemory();
  const detailId = () => `commit-${props.commit.sha}`;
  // No confirmation: a restore is itself a commit, so it is undone by restoring the version it replaced.
  const restoreIt = () =>
    restore.mutate({ path: props.path, sha: props.commit.sha, key: crypto.randomUUID() });
  return (
    <li class="commit" data-testid="commit" data-sha={props.commit.sha}>
      <p class="commit-message">{props.commit.message || "(no message)"}</p>
      <p class="commit-meta muted small">
        <span data-testid="commit-author" data-kind={props.commit.authorKind}>
          {props.commit.author || "unknown"}
        </span>{" "}
        · <time datetime={props.commit.date}>{formatDateTime(props.commit.date)}</time>
        {" · "}
        <code title={props.commit.sha}>{props.commit.sha.slice(0, 7)}</code>
      </p>
      <div class="commit-actions">
        <button
          type="button"
          class="button small subtle"
          aria-expanded={open()}
          aria-controls={detailId()}
          data-testid="commit-toggle"
          onClick={() => setOpen(!open())}
        >
          {open() ? "Hide changes" : "Show changes"}
        </button>
        <Show when={!props.newest}>
          <button
            type="button"
            class="button small subtle"
            disabled={restore.isPending}
            data-testid="commit-restore"
            onClick={restoreIt}
          >
            {restore.isPending ? "Restoring…" : "Restore this version"}
          </button>
        </Show>
      </div>
      <Show when={restore.isError}>
        <p class="error small" role="alert">
          Could not restore it: {errorMessage(restore.error)}
        </p>
      </Show>
      <Show when={restore.data?.status === "pending"}>
        <p class="muted small" role="status">
          Restored, pending: it will be committed as soon as git is reachable.
        </p>
      </Show>
      <Show when={open()}>
        <MemoryCommitDetail path={props.path} sha={props.commit.sha} id={detailId()} />
      </Show>
    </li>
  );
}
