import { useParams } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from "solid-js";
import { ThreadHeader } from "../chat/ThreadHeader";
import { ThreadMissing } from "../chat/ThreadMissing";
import { agentConnection } from "../live/agent-connection";
import { acquireThreadFeed } from "../live/thread-feed";
import { isNotFound, useThread } from "../threads/thread-queries";
import { subAgentOf, summary } from "./event-summary";

/** How many of the newest matching events are drawn (the rest stay counted). */
const SHOWN = 500;

/** Route `/threads/:id/events`: every event of the thread as it arrives, filterable, pausable. */
export default function EventConsole() {
  const params = useParams<{ id: string }>();
  return (
    <Show when={params.id} keyed>
      {(id) => <Console threadId={id} />}
    </Show>
  );
}

const time = (at: string) => {
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? at
    : `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, "0")}`;
};

function Console(props: { threadId: string }) {
  const { feed, release } = acquireThreadFeed(props.threadId);
  onCleanup(release);
  const connection = agentConnection();
  const thread = useThread(() => props.threadId);

  const [paused, setPaused] = createSignal(false);
  /** While paused, the view shows the events up to this many. */
  const [frozenAt, setFrozenAt] = createSignal(0);
  const [hidden, setHidden] = createSignal<ReadonlySet<string>>(new Set());

  const types = createMemo(() => {
    const counts = new Map<string, number>();
    for (const event of feed.events()) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  });
  /** Sub-agents seen in the thread's events (`data.subAgentId`), in order of appearance, with their tasks. */
  const subAgents = createMemo(() => {
    const tasks = new Map<string, string>();
    for (const event of feed.events()) {
      const about = subAgentOf(event);
      if (about && !tasks.get(about.id)) tasks.set(about.id, about.task);
    }
    return [...tasks.entries()];
  });
  const [subAgent, setSubAgent] = createSignal("");
  const visibleCount = () => (paused() ? frozenAt() : feed.events().length);
  const shown = createMemo(() => {
    const skip = hidden();
    const only = subAgent();
    const upTo = feed.events().slice(0, visibleCount());
    const matching =
      skip.size || only
        ? upTo.filter((e) => !skip.has(e.type) && (!only || subAgentOf(e)?.id === only))
        : upTo;
    return { total: matching.length, rows: matching.slice(-SHOWN) };
  });
  const waiting = () => (paused() ? feed.events().length - frozenAt() : 0);

  const togglePause = () => {
    if (!paused()) setFrozenAt(feed.events().length);
    setPaused(!paused());
  };
  const toggleType = (type: string, on: boolean) => {
    const next = new Set(hidden());
    if (on) next.delete(type);
    else next.add(type);
    setHidden(next);
  };

  const missing = () => thread.isError && isNotFound(thread.error);

  // Follow new events while the view is scrolled to the bottom.
  let scroller: HTMLDivElement | undefined;
  let pinned = true;
  const onScroll = () => {
    if (scroller) pinned = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  };
  createEffect(
    on(
      () => shown().rows[shown().rows.length - 1],
      () => {
        if (pinned) requestAnimationFrame(() => scroller?.scrollTo({ top: scroller.scrollHeight }));
      },
    ),
  );

  return (
    <Show when={!missing()} fallback={<ThreadMissing />}>
      <section class="thread-page console-page" aria-labelledby="thread-title">
        <ThreadHeader threadId={props.threadId} live={feed.live()} problem={connection.problem()} />
        <div class="console-toolbar">
          <button
            type="button"
            class="button small"
            aria-pressed={paused()}
            onClick={togglePause}
            data-testid="pause-toggle"
          >
            {paused() ? "Resume" : "Pause"}
          </button>
          <Show when={paused()}>
            <span class="badge" role="status" data-testid="paused-count">
              Paused · {waiting()} new
            </span>
          </Show>
          <Show when={subAgents().length > 0}>
            <label class="subagent-filter small">
              Sub-agent{" "}
              <select
                value={subAgent()}
                onChange={(e) => setSubAgent(e.currentTarget.value)}
                data-testid="subagent-filter"
              >
                <option value="">All events</option>
                <For each={subAgents()}>
                  {([id, task]) => (
                    <option value={id}>
                      {id.slice(0, 8)}
                      {task ? ` · ${task.length > 40 ? `${task.slice(0, 40)}…` : task}` : ""}
                    </option>
                  )}
                </For>
              </select>
            </label>
          </Show>
          <fieldset class="type-filter" data-testid="type-filter">
            <legend class="sr-only">Show event types</legend>
            <For each={types()}>
              {([type, count]) => (
                <label class="chip">
                  <input
                    type="checkbox"
                    name="event-type"
                    value={type}
                    checked={!hidden().has(type)}
                    onChange={(e) => toggleType(type, e.currentTarget.checked)}
                  />
                  <span>
                    {type} <span class="muted">{count}</span>
                  </span>
                </label>
              )}
            </For>
          </fieldset>
        </div>
        <div class="console-scroll" data-testid="event-console" ref={scroller} onScroll={onScroll}>
          <Show
            when={!feed.loading()}
            fallback={
              <p class="placeholder" role="status">
                {feed.error() ? `Could not load events: ${feed.error()} Retrying…` : "Loading events…"}
              </p>
            }
          >
            <Show
              when={shown().rows.length > 0}
              fallback={
                <p class="placeholder muted" data-testid="console-empty">
                  {feed.events().length === 0
                    ? "No events yet. Send a message in the chat and they appear here as they happen."
                    : "No events of the selected types."}
                </p>
              }
            >
              <Show when={shown().total > shown().rows.length}>
                <p class="muted small">
                  Showing the newest {shown().rows.length} of {shown().total} events.
                </p>
              </Show>
              <table class="event-table">
                <caption class="sr-only">Events of this thread, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Seq</th>
                    <th scope="col" class="time">
                      Time
                    </th>
                    <th scope="col">Type</th>
                    <th scope="col">Data</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={shown().rows}>
                    {(event) => (
                      <tr data-testid="event-row" data-type={event.type} data-seq={event.seq}>
                        <td class="num">{event.seq}</td>
                        <td class="time">{time(event.at)}</td>
                        <td>
                          <code class={`type type-${event.type.split(".")[0]}`}>{event.type}</code>
                        </td>
                        <td class="data">
                          <details>
                            <summary>{summary(event) || "data"}</summary>
                            <pre>{JSON.stringify(event.data, null, 2)}</pre>
                          </details>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          </Show>
          <Show when={feed.error() && !feed.loading()}>
            <p class="error small" role="alert">
              {feed.error()} Retrying…
            </p>
          </Show>
        </div>
      </section>
    </Show>
  );
}
