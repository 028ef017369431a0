import { useNavigate, useSearchParams } from "@solidjs/router";
import { createEffect, createSignal, on, Show } from "solid-js";
import { FailedWrites } from "./FailedWrites";
import { MemoryFileView } from "./MemoryFileView";
import { MemoryTree, memoryHref } from "./MemoryTree";
import "./memory.css";

/** Route `/memory` (`?path=` picks a file): the memory repository's tree, a file, its history; edit and commit. */
export default function MemoryPage() {
  const [params] = useSearchParams<{ path?: string }>();
  const path = () => (typeof params.path === "string" ? params.path : "");
  const navigate = useNavigate();
  const [typed, setTyped] = createSignal(path());
  createEffect(on(path, (current) => setTyped(current), { defer: true }));

  const open = (event: Event) => {
    event.preventDefault();
    const target = typed().trim();
    if (target) navigate(memoryHref(target));
  };

  return (
    <section class="memory-page page" aria-labelledby="memory-heading">
      <header class="page-head">
        <h1 id="memory-heading">Memory</h1>
        <p class="muted">
          Markdown files in your own git repository. Your agent reads and writes them; you can too, and every
          change is a commit.
        </p>
      </header>
      <div class="memory-layout">
        <aside class="memory-side card" aria-label="Files">
          <form class="open-path" onSubmit={open} aria-label="Open or create a file">
            <label class="sr-only" for="memory-path-input">
              File path
            </label>
            <input
              id="memory-path-input"
              name="path"
              type="text"
              placeholder="notes/ideas.md"
              autocomplete="off"
              spellcheck={false}
              value={typed()}
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
            <button type="submit" class="button small" disabled={!typed().trim()}>
              Open
            </button>
          </form>
          <MemoryTree selected={path()} />
          <FailedWrites />
        </aside>
        <div class="memory-main card">
          <Show
            when={path()}
            keyed
            fallback={
              <div class="placeholder empty" data-testid="memory-nothing-open">
                <p>
                  <strong>Pick a file</strong> from the tree, or type a path to open or create one.
                </p>
                <p class="muted small">
                  Tip: in a chat, “remember that …” makes your agent write a note under <code>notes/</code>.
                </p>
              </div>
            }
          >
            {(current) => <MemoryFileView path={current} />}
          </Show>
        </div>
      </div>
    </section>
  );
}
