import { createMemo, For, Match, Show, Switch } from "solid-js";
import { diffLines, withContext } from "./line-diff";

/**
 * What one commit changed in a file, line by line (loaded on demand: the diff is not needed to read memory).
 * Added and removed lines say so in words as well as colour and sign, for screen readers.
 */
export default function MemoryDiff(props: { before: string | null; after: string }) {
  const lines = createMemo(() => diffLines(props.before, props.after));
  const rows = createMemo(() => withContext(lines()));
  const counts = createMemo(() => ({
    added: lines().filter((l) => l.kind === "add").length,
    removed: lines().filter((l) => l.kind === "del").length,
  }));
  return (
    <div class="memory-diff" data-testid="memory-diff">
      <p class="diff-summary muted small" data-testid="diff-summary">
        {props.before === null ? "Created the file: " : ""}
        {counts().added} added, {counts().removed} removed
      </p>
      <Show
        when={counts().added + counts().removed > 0}
        fallback={<p class="muted small">No lines changed.</p>}
      >
        <ol class="diff-lines" aria-label="Changed lines">
          <For each={rows()}>
            {(row) => (
              <Switch>
                <Match when={row.kind === "skip" && row}>
                  {(skip) => (
                    <li class="diff-line skip">
                      ⋯ {skip().count} unchanged {skip().count === 1 ? "line" : "lines"}
                    </li>
                  )}
                </Match>
                <Match when={row.kind === "add" && row}>
                  {(line) => (
                    <li class="diff-line add" data-kind="add">
                      <span class="diff-no" aria-hidden="true">
                        {line().newNo}
                      </span>
                      <span class="sr-only">added: </span>
                      <span class="diff-sign" aria-hidden="true">
                        +
                      </span>
                      <span class="diff-text">{line().text}</span>
                    </li>
                  )}
                </Match>
                <Match when={row.kind === "del" && row}>
                  {(line) => (
                    <li class="diff-line del" data-kind="del">
                      <span class="diff-no" aria-hidden="true">
                        {line().oldNo}
                      </span>
                      <span class="sr-only">removed: </span>
                      <span class="diff-sign" aria-hidden="true">
                        −
                      </span>
                      <span class="diff-text">{line().text}</span>
                    </li>
                  )}
                </Match>
                <Match when={row.kind === "same" && row}>
                  {(line) => (
                    <li class="diff-line same" data-kind="same">
                      <span class="diff-no" aria-hidden="true">
                        {line().newNo}
                      </span>
                      <span class="diff-sign" aria-hidden="true" />
                      <span class="diff-text">{line().text}</span>
                    </li>
                  )}
                </Match>
              </Switch>
            )}
          </For>
        </ol>
      </Show>
    </div>
  );
}
