import { createSignal, For, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { useNow, watchStack } from "../stack/stack-watch";
import { wakeProgress } from "../stack/stack-wording";
import { WakeProgressView } from "../stack/WakeProgressView";
import { cancelSubAgent, statusLabel } from "../subagents/subagent-queries";
import { formatUsd } from "../ui/format";
import { type SubAgentBlock, type SubAgentTool, subAgentEnded } from "./chat-model";
import { Markdown } from "./Markdown";
import { pretty } from "./ToolCard";
import "./subagent-card.css";

const basename = (path: string) => path.split("/").filter(Boolean).pop() ?? path;

/**
 * A sub-agent inside the turn that spawned it: task, live status, its text and tool calls in order, files, how it
 * ended, and Cancel while it runs (`POST /api/subagents/:id/cancel`; the `subagent.finished` event then ends it).
 */
export function SubAgentCard(props: { block: SubAgentBlock }) {
  const [cancelling, setCancelling] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const block = () => props.block;
  const running = () => !subAgentEnded(block().status);

  const cancel = async () => {
    setCancelling(true);
    setError(null);
    try {
      await cancelSubAgent(block().subAgentId);
    } catch (failure) {
      setError(errorMessage(failure));
      setCancelling(false);
    }
  };

  return (
    <article
      class="subagent-card"
      aria-label="Sub-agent"
      data-testid="subagent-card"
      data-subagent-id={block().subAgentId}
      data-status={block().status}
    >
      <div class="subagent-head">
        <span class="subagent-icon" aria-hidden="true">
          ◎
        </span>
        <span class="subagent-title">Sub-agent</span>
        <span class={`subagent-status ${block().status}`} aria-live="polite" data-testid="subagent-status">
          <Show when={running()}>
            <span class="spinner" aria-hidden="true" />
          </Show>
          {statusLabel(block().status)}
        </span>
        <Show when={running()}>
          <button
            type="button"
            class="button small"
            onClick={() => void cancel()}
            disabled={cancelling()}
            data-testid="subagent-cancel"
          >
            {cancelling() ? "Cancelling…" : "Cancel"}
          </button>
        </Show>
      </div>
      <p class="subagent-task" data-testid="subagent-task">
        <span class="muted">Task: </span>
        {block().task || "…"}
      </p>
      <Show when={block().status === "spawned" || block().status === "waking"}>
        <SandboxWake />
      </Show>
      <Show when={block().steps.length > 0}>
        <ol class="subagent-steps" aria-label="What the sub-agent did" data-testid="subagent-steps">
          <For each={block().steps}>
            {(step) => (
              <Switch>
                <Match when={step.kind === "text" && step}>
                  {(text) => (
                    <li class="subagent-text-step">
                      <Markdown text={text().text} class="subagent-text" />
                    </li>
                  )}
                </Match>
                <Match when={step.kind === "tool" && step}>{(tool) => <ToolStep tool={tool()} />}</Match>
              </Switch>
            )}
          </For>
        </ol>
      </Show>
      <Show when={block().files.length > 0}>
        <div class="subagent-files">
          <span class="muted small">Files changed:</span>
          <ul aria-label="Files the sub-agent changed" data-testid="subagent-files">
            <For each={block().files}>
              {(path) => (
                <li>
                  <code title={path}>{basename(path)}</code>
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
      <Show when={!running()}>
        <p class={`subagent-end ${block().status}`} data-testid="subagent-end">
          {block().status === "completed"
            ? "Finished"
            : block().status === "cancelled"
              ? "Cancelled"
              : `Failed${block().error ? `: ${block().error}` : ""}`}
          <Show when={block().costUsd !== null}> · cost {formatUsd(block().costUsd)}</Show>
        </p>
      </Show>
      <Show when={error()}>
        <p class="error small" role="alert">
          {error()}
        </p>
      </Show>
    </article>
  );
}

/**
 * While the sub-agent waits for the sandbox: the stack's wake, stage by stage with the time so far, instead of a
 * bare spinner (a cold start takes seconds). Mounted only while waiting, so it polls only then.
 */
function SandboxWake() {
  const { events } = watchStack(() => true);
  const now = useNow(() => true);
  const progress = () => {
    const wake = wakeProgress(events(), now());
    // An earlier wake (ready before this sub-agent asked) says nothing about this one.
    return wake && (wake.current !== null || now() - wake.startedAt < 60_000) ? wake : null;
  };
  return <Show when={progress()}>{(wake) => <WakeProgressView progress={wake()} />}</Show>;
}

function ToolStep(props: { tool: SubAgentTool }) {
  const state = () =>
    props.tool.status === "completed" ? "done" : props.tool.status === "error" ? "failed" : "running…";
  return (
    <li
      class="subagent-tool"
      data-testid="subagent-tool"
      data-tool={props.tool.tool}
      data-state={props.tool.status}
    >
      <details>
        <summary>
          <span class="tool-icon" aria-hidden="true">
            ⚙
          </span>
          <span class="tool-name">{props.tool.tool}</span>
          <span class={`tool-state ${props.tool.status === "error" ? "error" : ""}`}>{state()}</span>
        </summary>
        <div class="tool-body">
          <Show when={props.tool.input !== null && props.tool.input !== undefined}>
            <h4>Input</h4>
            <pre>{pretty(props.tool.input)}</pre>
          </Show>
          <Show when={props.tool.output}>
            <h4>{props.tool.status === "error" ? "Error" : "Output"}</h4>
            <pre>{props.tool.output}</pre>
          </Show>
        </div>
      </details>
    </li>
  );
}
