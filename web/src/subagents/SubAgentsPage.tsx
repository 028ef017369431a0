import { A } from "@solidjs/router";
import { For, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { formatDateTime, formatDuration, formatUsd } from "../ui/format";
import { isActive, type SubAgent, statusLabel, useCancelSubAgent, useSubAgents } from "./subagent-queries";
import "./subagents.css";

/** Route `/subagents`: every sub-agent the user's agent started, newest first; cancel the running ones. */
export default function SubAgentsPage() {
  const subAgents = useSubAgents();
  return (
    <section class="subagents-page page" aria-labelledby="subagents-heading">
      <header class="page-head">
        <h1 id="subagents-heading">Sub-agents</h1>
        <p class="muted">
          Work your agent handed to your sandbox. Running ones update live; <A href="/stack">your sandbox</A>{" "}
          wakes when one starts.
        </p>
      </header>
      <Switch>
        <Match when={subAgents.isPending}>
          <p class="placeholder muted" role="status">
            Loading sub-agents…
          </p>
        </Match>
        <Match when={subAgents.isError && !subAgents.data}>
          <div class="error" role="alert">
            <p>Could not load your sub-agents: {errorMessage(subAgents.error)}</p>
            <button type="button" class="button small" onClick={() => void subAgents.refetch()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={subAgents.data}>
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={
                <div class="placeholder empty card" data-testid="subagents-empty">
                  <p>
                    <strong>No sub-agents yet.</strong>
                  </p>
                  <p class="muted">
                    Ask your agent in a chat to delegate a task (“delegate: …”) and it shows up here.
                  </p>
                </div>
              }
            >
              <ul class="subagent-list" aria-label="Sub-agents, newest first" data-testid="subagent-list">
                <For each={list()}>{(subAgent) => <SubAgentRow subAgent={subAgent} />}</For>
              </ul>
            </Show>
          )}
        </Match>
      </Switch>
    </section>
  );
}

function SubAgentRow(props: { subAgent: SubAgent }) {
  const cancel = useCancelSubAgent();
  const s = () => props.subAgent;
  return (
    <li class="subagent-row card" data-testid="subagent-row" data-id={s().id} data-status={s().status}>
      <div class="subagent-row-head">
        <span class={`subagent-status ${s().status}`} data-testid="subagent-row-status">
          <Show when={isActive(s().status)}>
            <span class="spinner" aria-hidden="true" />
          </Show>
          {statusLabel(s().status)}
        </span>
        <p class="subagent-row-task" title={s().task}>
          {s().task}
        </p>
      </div>
      <dl class="subagent-facts">
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(s().startedAt ?? s().createdAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="subagent-duration">{formatDuration(s().durationMs)}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{formatUsd(s().costUsd)}</dd>
        </div>
      </dl>
      <Show when={s().error}>
        <p class="error small">{s().error}</p>
      </Show>
      <Show when={s().result}>
        <details class="subagent-result">
          <summary>Result</summary>
          <pre>{s().result}</pre>
        </details>
      </Show>
      <div class="subagent-row-actions">
        <Show when={s().threadId}>
          {(threadId) => (
            <A href={`/threads/${threadId()}`} class="button small" data-testid="subagent-thread-link">
              Open thread
            </A>
          )}
        </Show>
        <Show when={isActive(s().status)}>
          <button
            type="button"
            class="button small danger"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate(s().id)}
          >
            {cancel.isPending ? "Cancelling…" : "Cancel"}
          </button>
        </Show>
        <Show when={cancel.error}>
          {(error) => (
            <span class="error small" role="alert">
              {errorMessage(error())}
            </span>
          )}
        </Show>
      </div>
    </li>
  );
}
