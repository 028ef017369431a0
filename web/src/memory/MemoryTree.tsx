import { createSignal, For, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { type MemoryEntry, nameOf, useMemoryList } from "./memory-queries";

export const memoryHref = (path: string) => `/memory?path=${encodeURIComponent(path)}`;

/** The repository as a tree: directories are read when opened; files link to their view. */
export function MemoryTree(props: { selected: string }) {
  return (
    <nav class="memory-tree" aria-label="Memory files" data-testid="memory-tree">
      <Listing prefix="" selected={props.selected} />
    </nav>
  );
}

function Listing(props: { prefix: string; selected: string }) {
  const list = useMemoryList(() => props.prefix);
  const root = () => props.prefix === "";
  return (
    <Switch>
      <Match when={list.isPending}>
        <p class="muted small tree-note" role="status">
          Loading…
        </p>
      </Match>
      <Match when={list.isError}>
        <div class="error small tree-note" role="alert">
          <p>{errorMessage(list.error)}</p>
          <button type="button" class="button small" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      </Match>
      <Match when={list.data}>
        {(entries) => (
          <Show
            when={entries().length > 0}
            fallback={
              <p class="muted small tree-note" data-testid={root() ? "memory-empty" : undefined}>
                {root()
                  ? "Your memory is empty. Ask your agent to remember something, or create a file."
                  : "Empty folder."}
              </p>
            }
          >
            <ul class="tree-list">
              <For each={entries()}>{(entry) => <Entry entry={entry} selected={props.selected} />}</For>
            </ul>
          </Show>
        )}
      </Match>
    </Switch>
  );
}

function Entry(props: { entry: MemoryEntry; selected: string }) {
  const isDir = () => props.entry.type === "dir";
  // Open from the start when the selected file is inside.
  const [open, setOpen] = createSignal(props.selected.startsWith(`${props.entry.path}/`));
  return (
    <li class="tree-item">
      <Show
        when={isDir()}
        fallback={
          // A plain link (the router still handles it): <A> would mark every file current, as it compares
          // only the pathname.
          <a
            href={memoryHref(props.entry.path)}
            class="tree-file"
            aria-current={props.selected === props.entry.path ? "page" : undefined}
            data-path={props.entry.path}
          >
            <span aria-hidden="true" class="tree-icon">
              ▭
            </span>
            <span class="tree-name">{nameOf(props.entry.path)}</span>
            <Show when={props.entry.pending}>
              <span class="badge queued">pending</span>
            </Show>
          </a>
        }
      >
        <button
          type="button"
          class="tree-dir"
          aria-expanded={open()}
          onClick={() => setOpen(!open())}
          data-path={props.entry.path}
        >
          <span aria-hidden="true" class="tree-caret">
            {open() ? "▾" : "▸"}
          </span>
          <span class="tree-name">{nameOf(props.entry.path)}/</span>
        </button>
        <Show when={open()}>
          <Listing prefix={props.entry.path} selected={props.selected} />
        </Show>
      </Show>
    </li>
  );
}
