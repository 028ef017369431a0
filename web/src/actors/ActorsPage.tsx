import { A } from "@solidjs/router";
import { For, Match, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { formatDateTime } from "../ui/format";
import { type Actor, useActors, useStopActor } from "./actor-queries";
import { actorStatusLabel, isWorking, taskStatusLabel } from "./actor-status";
import "./actors.css";

/** Route `/actors`: the user's Grow Agent and its sub-agents as running actors; stop a sub-agent. */
export default function ActorsPage() {
  const actors = useActors();
  return (
    <section class="actors-page page" aria-labelledby="actors-heading">
      <header class="page-head">
        <h1 id="actors-heading">Actors</h1>
        <p class="muted">
          Your Grow Agent and the sub-agents it started, as they run on GrowQR: whether each is active or
          asleep, when it last did something, and how many times it has been (re)created.
        </p>
      </header>
      <Switch>
        <Match when={actors.isPending}>
          <p class="placeholder muted" role="status">
            Loading your actors…
          </p>
        </Match>
        <Match when={actors.isError && !actors.data}>
          <div class="error" role="alert">
            <p>Could not load your actors: {errorMessage(actors.error)}</p>
            <button type="button" class="button small" onClick={() => void actors.refetch()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={actors.data}>
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={
                <div class="placeholder empty card" data-testid="actors-empty">
                  <p>
                    <strong>No actors yet.</strong>
                  </p>
                  <p class="muted">Your Grow Agent starts with your first message in a thread.</p>
                </div>
              }
            >
              <ul class="actor-list" aria-label="Your actors" data-testid="actor-list">
                <For each={list()}>{(actor) => <ActorRow actor={actor} />}</For>
              </ul>
            </Show>
          )}
        </Match>
      </Switch>
    </section>
  );
}

function ActorRow(props: { actor: Actor }) {
  const stop = useStopActor();
  const a = () => props.actor;
  const isGrow = () => a().type === "growAgent";
  const title = () => (isGrow() ? "Grow Agent" : "Sub-agent");
  return (
    <li
      class="actor-row card"
      data-testid="actor-row"
      data-id={a().id}
      data-type={a().type}
      data-status={a().status}
      data-subagent-id={a().subAgent?.id}
    >
      <div class="actor-row-head">
        <h2 class="actor-name">{title()}</h2>
        <span class={`actor-status ${a().status}`} data-testid="actor-status">
          {actorStatusLabel(a().status)}
        </span>
      </div>
      <Show when={a().subAgent}>
        {(sub) => (
          <p class="actor-task" title={sub().task}>
            <span class="muted">Task ({taskStatusLabel(sub().status)}):</span>{" "}
            <span data-testid="actor-task">{sub().task}</span>
          </p>
        )}
      </Show>
      <dl class="actor-facts">
        <div>
          <dt>Last active</dt>
          <dd>
            <time datetime={a().lastActiveAt}>{formatDateTime(a().lastActiveAt)}</time>
          </dd>
        </div>
        <div>
          <dt>Generation</dt>
          <dd data-testid="actor-generation">{a().generation}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <time datetime={a().createdAt}>{formatDateTime(a().createdAt)}</time>
          </dd>
        </div>
      </dl>
      <div class="actor-actions">
        <Show when={a().subAgent?.threadId}>
          {(threadId) => (
            <>
              <A href={`/threads/${threadId()}`} class="button small" data-testid="actor-thread-link">
                Open thread
              </A>
              <A
                href={`/threads/${threadId()}/events`}
                class="button small subtle"
                data-testid="actor-events-link"
              >
                Events
              </A>
            </>
          )}
        </Show>
        <Show when={!isGrow() && a().status !== "destroyed"}>
          <button
            type="button"
            class="button small danger"
            disabled={stop.isPending}
            data-testid="actor-stop"
            onClick={() => stop.mutate(a().id)}
          >
            {stop.isPending ? "Stopping…" : isWorking(a()) ? "Stop" : "Stop for good"}
          </button>
        </Show>
        <Show when={stop.error}>
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
