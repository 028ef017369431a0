import { A } from "@solidjs/router";
import { Show } from "solid-js";
import type { ToolBlock } from "./chat-model";

/** Pretty JSON when the text is JSON, else the text as it is. */
export function pretty(value: unknown): string {
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}

const label = (name: string) => name.replaceAll("_", " ");

const MEMORY_TOOLS = new Set(["commit_memory", "read_memory"]);

/** The memory file a memory tool call is about (not `session/` notes, which live in the thread only). */
const memoryPathOf = (block: ToolBlock): string | null => {
  if (!MEMORY_TOOLS.has(block.name)) return null;
  const path = (block.input as { path?: unknown } | null)?.path;
  return typeof path === "string" && path && !path.startsWith("session/") ? path : null;
};

/** A tool call of the agent: name and state in the summary; input and result when expanded. */
export function ToolCard(props: { block: ToolBlock; turnRunning: boolean }) {
  const state = () =>
    props.block.result
      ? props.block.result.isError
        ? "failed"
        : "done"
      : props.turnRunning
        ? "running…"
        : "no result";
  return (
    <details class="tool-card" data-testid="tool-card" data-state={state()}>
      <summary>
        <span class="tool-icon" aria-hidden="true">
          ⚙
        </span>
        <span class="tool-name">{label(props.block.name)}</span>
        <span class={`tool-state ${props.block.result?.isError ? "error" : ""}`}>{state()}</span>
      </summary>
      <div class="tool-body">
        <Show when={memoryPathOf(props.block)}>
          {(path) => (
            <p class="tool-link">
              <A href={`/memory?path=${encodeURIComponent(path())}`} data-testid="open-in-memory">
                Open {path()} in memory
              </A>
            </p>
          )}
        </Show>
        <h4>Input</h4>
        <pre>{pretty(props.block.input)}</pre>
        <Show when={props.block.result}>
          {(result) => (
            <>
              <h4>{result().isError ? "Error" : "Result"}</h4>
              <pre>{pretty(result().content)}</pre>
            </>
          )}
        </Show>
      </div>
    </details>
  );
}
