import { For, Match, Show, Switch } from "solid-js";
import { CopyButton } from "../ui/CopyButton";
import { formatDateTime, formatMessageTime } from "../ui/format";
import type { TurnItem } from "./chat-model";
import { Markdown } from "./Markdown";
import { SubAgentCard } from "./SubAgentCard";
import { ToolCard } from "./ToolCard";
import { describeEnd } from "./turn-wording";

const STATUS_LABELS: Record<TurnItem["status"], string> = {
  running: "Replying",
  completed: "Done",
  cancelled: "Cancelled",
  failed: "Failed",
  interrupted: "Interrupted",
};

/**
 * One assistant turn: streamed text (markdown), tool-call cards, sub-agent cards, and how it ended. `onRegenerate`
 * only on the thread's last reply while no turn runs: it is replaced by a new answer to the same message.
 */
export function TurnView(props: { turn: TurnItem; onRegenerate?: () => void; regenerating?: boolean }) {
  const turn = () => props.turn;
  const ending = () => describeEnd(turn());
  // The reply as written (markdown), for the clipboard.
  const replyText = () =>
    turn()
      .blocks.map((block) => (block.kind === "text" ? block.text : ""))
      .filter(Boolean)
      .join("\n\n");
  return (
    <li
      class="message assistant"
      data-testid="assistant-turn"
      data-status={turn().status}
      aria-busy={turn().status === "running"}
    >
      <div class="bubble">
        <For each={turn().blocks}>
          {(block) => (
            <Switch>
              <Match when={block.kind === "text" && block}>
                {(text) => <Markdown text={text().text} class="reply-text" />}
              </Match>
              <Match when={block.kind === "tool" && block}>
                {(tool) => <ToolCard block={tool()} turnRunning={turn().status === "running"} />}
              </Match>
              <Match when={block.kind === "subagent" && block}>
                {(subAgent) => <SubAgentCard block={subAgent()} />}
              </Match>
            </Switch>
          )}
        </For>
        <Show when={turn().status === "running"}>
          <span class="typing" data-testid="typing">
            <span class="sr-only">The agent is replying</span>
            <span aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
          </span>
        </Show>
        <Show when={ending()}>
          {(text) => (
            <p
              class={`turn-end ${turn().status}`}
              data-testid="turn-end"
              role={turn().status === "failed" ? "alert" : undefined}
            >
              {text()}
            </p>
          )}
        </Show>
      </div>
      <Show when={turn().status !== "running"}>
        <p class="turn-meta">
          <MessageTime at={turn().at} />
          {" · "}
          <span class="sr-only">Status: </span>
          {STATUS_LABELS[turn().status]}
          <Show when={turn().outputTokens > 0}>
            {" · "}
            {turn().outputTokens} tokens out
          </Show>
          <Show when={replyText()}>
            <CopyButton text={replyText} label="Copy reply" testId="copy-reply" />
          </Show>
          <Show when={props.onRegenerate}>
            {(regenerate) => (
              <button
                type="button"
                class="copy-button"
                aria-label="Regenerate reply"
                title="Replace this reply with a new answer. What it did (schedules, memory) is not undone."
                disabled={props.regenerating}
                data-testid="regenerate-reply"
                onClick={() => regenerate()()}
              >
                Regenerate
              </button>
            )}
          </Show>
        </p>
      </Show>
    </li>
  );
}

/** When a message was sent: short on screen, the full date on hover and for machines. */
export function MessageTime(props: { at: string }) {
  return (
    <time
      class="message-time"
      datetime={props.at}
      title={formatDateTime(props.at)}
      data-testid="message-time"
    >
      {formatMessageTime(props.at)}
    </time>
  );
}
