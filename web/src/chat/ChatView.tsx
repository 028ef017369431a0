import { useParams } from "@solidjs/router";
import { useQueryClient } from "@tanstack/solid-query";
import {
  createEffect,
  createMemo,
  createSignal,
  For,
  Match,
  on,
  onCleanup,
  Show,
  Switch,
  untrack,
} from "solid-js";
import { createStore, produce } from "solid-js/store";
import { api, unwrap } from "../api/client";
import { agentConnection } from "../live/agent-connection";
import { acquireThreadFeed } from "../live/thread-feed";
import { isNotFound, type Thread, threadKeys, useThread } from "../threads/thread-queries";
import { Composer, type SendError } from "./Composer";
import { applyEvent } from "./chat-fold";
import { type ChatState, emptyChat, findTurn, lastUser, regenerableTurn } from "./chat-model";
import { AllowanceMessage } from "./NoticeView";
import { ScheduleRunNotice } from "./ScheduleRunNotice";
import { regenerateReply, sendFailure, sendMessage } from "./send-message";
import { ThreadHeader } from "./ThreadHeader";
import { ThreadMissing } from "./ThreadMissing";
import { TurnView } from "./TurnView";
import { announceEnd } from "./turn-wording";
import { UserMessage } from "./UserMessage";

const TURN_ENDS = new Set(["turn.completed", "turn.failed", "turn.cancelled", "turn.interrupted"]);

/** Route `/threads/:id`: the conversation, streamed as it happens. */
export default function ChatView() {
  const params = useParams<{ id: string }>();
  return (
    <Show when={params.id} keyed>
      {(id) => <ThreadChat threadId={id} />}
    </Show>
  );
}

function ThreadChat(props: { threadId: string }) {
  const { feed, release } = acquireThreadFeed(props.threadId);
  onCleanup(release);
  const connection = agentConnection();
  const thread = useThread(() => props.threadId);
  const queryClient = useQueryClient();

  const [chat, setChat] = createStore<ChatState>(emptyChat());
  let folded = 0;
  let scroller: HTMLElement | undefined;
  const toBottom = () => requestAnimationFrame(() => scroller?.scrollTo({ top: scroller.scrollHeight }));

  // A reply that ends while the user is here is announced (polite live region); the history is not. History is what
  // arrives while the feed loads, or, when the feed was loaded before this view opened, its first batch.
  const [announcement, setAnnouncement] = createSignal("");
  const loadedBefore = !feed.loading() && feed.events().length > 0;

  // Fold newly applied events into the chat; keep the view pinned to the bottom if it was there.
  createEffect(
    on(feed.events, (all) => {
      if (all.length <= folded) return;
      const history = untrack(feed.loading) || (folded === 0 && loadedBefore);
      const batch = all.slice(folded);
      folded = all.length;
      const pinned = !scroller || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
      setChat(
        produce((draft) => {
          for (const event of batch) applyEvent(draft, event);
        }),
      );
      if (pinned) toBottom();
      const ended = history ? undefined : [...batch].reverse().find((event) => TURN_ENDS.has(event.type));
      const turnId = (ended?.data as { turnId?: unknown } | undefined)?.turnId;
      const turn = typeof turnId === "string" ? findTurn(chat, turnId) : undefined;
      if (turn) setAnnouncement(announceEnd(turn));
    }),
  );

  const [sendError, setSendError] = createSignal<SendError | null>(null);
  const [cancelling, setCancelling] = createSignal(false);

  // Sent over REST (send-message.ts). A message that failed to send keeps its key: if the first attempt was stored
  // after all (only its answer was lost), sending it again does not store it twice.
  let unsent: { text: string; key: string } | undefined;
  const send = async (text: string): Promise<boolean> => {
    setSendError(null);
    if (unsent?.text !== text) unsent = { text, key: crypto.randomUUID() };
    try {
      await sendMessage(props.threadId, text, unsent.key);
    } catch (failure) {
      setSendError(sendFailure(failure));
      return false;
    }
    unsent = undefined;
    requestAnimationFrame(() => scroller?.scrollTo({ top: scroller.scrollHeight }));
    void feed.sync();
    void nameUntitled(text);
    return true;
  };

  // An untitled thread is named after its first message.
  const nameUntitled = async (text: string) => {
    const current = thread.data;
    if (!current || current.title.trim()) return;
    const title = text
      .replace(/\[\[[^\]]*\]\]/g, "")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 60);
    if (!title) return;
    const { data } = await api.PATCH("/threads/{id}", {
      params: { path: { id: props.threadId } },
      body: { title },
    });
    if (!data) return;
    queryClient.setQueryData(threadKeys.one(data.id), data);
    queryClient.setQueryData(threadKeys.list, (list: Thread[] | undefined) =>
      list?.map((t) => (t.id === data.id ? data : t)),
    );
  };

  const cancel = async () => {
    setCancelling(true);
    setSendError(null);
    try {
      unwrap(await api.POST("/threads/{id}/cancel", { params: { path: { id: props.threadId } } }));
    } catch (failure) {
      setSendError(sendFailure(failure));
    } finally {
      setCancelling(false);
    }
  };

  // Edit and resend: only the last user message, once it has been answered (a turn or a notice came after it) and
  // while no reply runs (a message sent then would queue, which is not what editing means). Sending the edit sends
  // a new message (Composer).
  const [edit, setEdit] = createSignal<{ text: string } | null>(null);
  const editable = createMemo(() => {
    const user = lastUser(chat);
    const answered = user !== undefined && chat.items[chat.items.length - 1] !== user;
    return answered && chat.runningTurnId === null ? user.id : undefined;
  });
  const canEdit = (messageId: string) => messageId === editable();

  // Regenerate: only the thread's last reply, one that started (the server refuses any other), while no turn runs;
  // the new turn replaces it (chat-fold.ts).
  const [regenerating, setRegenerating] = createSignal(false);
  // The reply just regenerated stays without the button until its replacement's events arrive.
  const [replaced, setReplaced] = createSignal<string>();
  const regenerable = createMemo(() => regenerableTurn(chat, replaced()));
  // Kept until it succeeds, for the reply it targets: a retry after a lost answer starts no second turn, and a later
  // regenerate of another reply gets a key of its own.
  let regenerateKey: { turnId: string; key: string } | undefined;
  const regenerate = async (turnId: string) => {
    setRegenerating(true);
    setSendError(null);
    if (regenerateKey?.turnId !== turnId) regenerateKey = { turnId, key: crypto.randomUUID() };
    try {
      const { supersededTurnId } = await regenerateReply(props.threadId, regenerateKey.key);
      setReplaced(supersededTurnId);
      regenerateKey = undefined;
      void feed.sync();
    } catch (failure) {
      const error = sendFailure(failure);
      setSendError(error);
      // The thread moved on (a turn runs, or the reply is no longer the last): this attempt is over; catch up.
      if (error.code === "turn_running" || error.code === "nothing_to_regenerate") {
        regenerateKey = undefined;
        void feed.sync();
      }
    } finally {
      setRegenerating(false);
    }
  };

  const missing = () => thread.isError && isNotFound(thread.error);

  return (
    <Show when={!missing()} fallback={<ThreadMissing />}>
      <section class="thread-page" aria-labelledby="thread-title">
        <ThreadHeader threadId={props.threadId} live={feed.live()} problem={connection.problem()} />
        {/* Focusable so keyboard users can scroll it (axe: scrollable-region-focusable); labelled so the stop
            reads as the conversation. */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
        <section class="chat-scroll" ref={scroller} tabIndex={0} aria-label="Conversation">
          <Switch>
            <Match when={feed.loading() && !feed.error()}>
              <p class="placeholder" role="status">
                Loading conversation…
              </p>
            </Match>
            <Match when={feed.loading() && feed.error()}>
              <p class="placeholder error" role="alert">
                Could not load this conversation: {feed.error()} Retrying…
              </p>
            </Match>
            <Match when={chat.items.length === 0}>
              <div class="placeholder empty" data-testid="chat-empty">
                <p>
                  <strong>No messages yet.</strong>
                </p>
                <p class="muted">
                  Ask your Grow Agent anything. It remembers what matters in your memory and can hand work to
                  sub-agents in your sandbox.
                </p>
              </div>
            </Match>
            <Match when={true}>
              <ol class="messages" aria-label="Messages" data-testid="messages">
                <For each={chat.items}>
                  {(item) => (
                    <Switch>
                      <Match when={item.kind === "user" && item}>
                        {(user) => (
                          <UserMessage
                            user={user()}
                            onEdit={canEdit(user().id) ? () => setEdit({ text: user().text }) : undefined}
                          />
                        )}
                      </Match>
                      <Match when={item.kind === "turn" && item}>
                        {(turn) => (
                          <TurnView
                            turn={turn()}
                            onRegenerate={
                              turn().id === regenerable() ? () => void regenerate(turn().id) : undefined
                            }
                            regenerating={regenerating()}
                          />
                        )}
                      </Match>
                      <Match when={item.kind === "schedule" && item}>
                        {(run) => <ScheduleRunNotice run={run()} />}
                      </Match>
                      <Match when={item.kind === "notice" && item}>
                        {(notice) => (
                          <li class="message notice" data-testid="agent-notice" data-code={notice().code}>
                            <AllowanceMessage
                              code={notice().code}
                              message={notice().message}
                              upgradePath={notice().upgradePath}
                            />
                          </li>
                        )}
                      </Match>
                    </Switch>
                  )}
                </For>
              </ol>
            </Match>
          </Switch>
          <Show when={feed.error() && !feed.loading()}>
            <p class="error small" role="alert">
              {feed.error()} Retrying…
            </p>
          </Show>
        </section>
        <p class="sr-only" role="status" aria-live="polite" data-testid="reply-announcer">
          {announcement()}
        </p>
        <Composer
          running={chat.runningTurnId !== null}
          cancelling={cancelling()}
          error={sendError()}
          onSend={send}
          onCancel={() => void cancel()}
          edit={edit()}
          onEditEnd={() => setEdit(null)}
        />
      </section>
    </Show>
  );
}
