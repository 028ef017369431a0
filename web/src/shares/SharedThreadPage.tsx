import { useParams } from "@solidjs/router";
import { createEffect, createResource, For, Match, onCleanup, Show, Switch } from "solid-js";
import { createStore, produce } from "solid-js/store";
import { applyEvent } from "../chat/chat-fold";
import { type ChatState, emptyChat } from "../chat/chat-model";
import { TurnView } from "../chat/TurnView";
import { createSharedFeed, fetchSharedThread, type SharedState } from "./shared-feed";
import "./shares.css";

const STATE_LABELS: Record<SharedState, string> = {
  loading: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  gone: "Ended",
};

/**
 * Route `/share/:token`, shown without signing in: one shared thread, read-only, streamed as it happens. What it
 * gets is already scrubbed by the server (worker/src/shares/shared-events.ts); it renders with the chat's views.
 */
export default function SharedThreadPage() {
  const params = useParams<{ token: string }>();
  return (
    <Show when={params.token} keyed>
      {(token) => <SharedThread token={token} />}
    </Show>
  );
}

function LinkGone() {
  return (
    <section class="placeholder-page" aria-labelledby="gone-heading" data-testid="share-gone">
      <h1 id="gone-heading">This link does not work</h1>
      <p class="muted">It may have been revoked by its owner, or it has expired.</p>
    </section>
  );
}

function SharedThread(props: { token: string }) {
  const [thread, { refetch }] = createResource(() => props.token, fetchSharedThread);
  // A passing failure (429, 503, the network) is retried; reading a failed resource would throw instead.
  createEffect(() => {
    if (!thread.error) return;
    const timer = setTimeout(refetch, 2_000);
    onCleanup(() => clearTimeout(timer));
  });
  const info = () => (thread.state === "ready" ? thread() : undefined);
  const [chat, setChat] = createStore<ChatState>(emptyChat());
  const feed = createSharedFeed(props.token, (events) =>
    setChat(
      produce((draft) => {
        for (const event of events) applyEvent(draft, event);
      }),
    ),
  );
  const gone = () => feed.state() === "gone" || info() === null;

  return (
    <Show when={!gone()} fallback={<LinkGone />}>
      <section class="shared-page thread-page" aria-labelledby="thread-title" data-testid="shared-thread">
        <header class="thread-header">
          <div class="thread-header-row">
            <h1 id="thread-title" class="thread-title" data-testid="thread-title">
              {info()?.title.trim() || "Shared thread"}
            </h1>
            <span
              class={`live-badge ${feed.state() === "live" ? "live" : "connecting"}`}
              role="status"
              data-testid="live-status"
            >
              <span class="dot" aria-hidden="true" />
              {STATE_LABELS[feed.state()]}
            </span>
          </div>
          <p class="muted shared-banner">A read-only conversation shared with you by its owner.</p>
        </header>
        <div class="chat-scroll">
          <Switch>
            <Match when={feed.state() === "loading" && chat.items.length === 0}>
              <p class="placeholder" role="status">
                Loading conversation…
              </p>
            </Match>
            <Match when={chat.items.length === 0}>
              <p class="placeholder muted" data-testid="chat-empty">
                No messages yet.
              </p>
            </Match>
            <Match when={true}>
              <ol class="messages" aria-label="Messages" data-testid="messages">
                <For each={chat.items}>
                  {(item) => (
                    <Switch>
                      <Match when={item.kind === "user" && item}>
                        {(user) => (
                          <li class="message user" data-testid="user-message">
                            <div class="bubble">{user().text}</div>
                          </li>
                        )}
                      </Match>
                      <Match when={item.kind === "turn" && item}>
                        {(turn) => <TurnView turn={turn()} />}
                      </Match>
                    </Switch>
                  )}
                </For>
              </ol>
            </Match>
          </Switch>
        </div>
      </section>
    </Show>
  );
}
