import { A } from "@solidjs/router";
import { createEffect, Show } from "solid-js";
import type { LiveStatus } from "../live/agent-connection";
import { ShareButton } from "../shares/ShareDialog";
import { threadTitle, useModelInfo, useThread } from "../threads/thread-queries";
import { setPageTitle } from "../ui/page-title";

const LIVE_LABELS: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

/** Title, Chat / Events tabs, the live connection's state and (discreetly) which model answers. */
export function ThreadHeader(props: { threadId: string; live: LiveStatus; problem?: string | null }) {
  const thread = useThread(() => props.threadId);
  const model = useModelInfo();
  createEffect(() => setPageTitle(thread.data ? threadTitle(thread.data) : "Thread"));
  return (
    <header class="thread-header">
      <div class="thread-header-row">
        <h1 id="thread-title" class="thread-title" data-testid="thread-title">
          {thread.data ? threadTitle(thread.data) : thread.isError ? "Thread" : "…"}
        </h1>
        <span
          class={`live-badge ${props.live}`}
          role="status"
          data-testid="live-status"
          title={props.problem ?? undefined}
        >
          <span class="dot" aria-hidden="true" />
          {LIVE_LABELS[props.live]}
        </span>
        <ShareButton threadId={props.threadId} />
      </div>
      <div class="thread-header-row">
        <nav class="tabs" aria-label="Thread views">
          <A href={`/threads/${props.threadId}`} end activeClass="active" class="tab">
            Chat
          </A>
          <A href={`/threads/${props.threadId}/events`} end activeClass="active" class="tab">
            Events
          </A>
        </nav>
        <Show when={model.data}>
          {(info) => (
            <span class="model-info" data-testid="model-info">
              {info().model}
              {info().local ? " (local stand-in)" : ""}
            </span>
          )}
        </Show>
      </div>
    </header>
  );
}
