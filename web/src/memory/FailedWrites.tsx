import { For, Show } from "solid-js";
import { memoryHref } from "./MemoryTree";
import { failureReasonText, useFailedWrites } from "./memory-queries";

/**
 * Memory writes the server set aside: git refused them, or they kept failing. Shown so nothing the agent (or the
 * user) saved disappears silently; they never hold back later writes, and one leaves this list once the same
 * path is saved successfully.
 */
export function FailedWrites() {
  const failed = useFailedWrites();
  return (
    <Show when={(failed.data ?? []).length > 0}>
      <section
        class="failed-writes"
        aria-labelledby="failed-writes-heading"
        data-testid="memory-failed-writes"
      >
        <h2 id="failed-writes-heading" class="small">
          <span aria-hidden="true">⚠ </span>Not saved
        </h2>
        <ul class="tree-list">
          <For each={failed.data}>
            {(write) => (
              <li class="failed-write" data-testid="failed-write" data-reason={write.reason}>
                <a href={memoryHref(write.path)}>{write.path}</a>
                <p class="small">
                  {write.message} — {failureReasonText(write.reason)}
                </p>
                <p class="muted small" title={write.error}>
                  {write.error}
                </p>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
