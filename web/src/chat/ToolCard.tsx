import { Show } from "solid-js";
import type { ToolBlock } from "./thread-events";

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
