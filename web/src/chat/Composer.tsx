import { createSignal, Show } from "solid-js";
import { checkLength } from "./message-limit";
import { AllowanceMessage } from "./NoticeView";

/** Why the last send failed; `code` `allowance_exceeded` (402) comes with the way to upgrade. */
export interface SendError {
  message: string;
  code?: string;
}

/**
 * The message box: Enter sends, Shift+Enter is a new line; Stop cancels the running reply.
 *
 * A sent message leaves the box at once and waits in an outbox that sends one at a time, in order: the user can
 * type (and send) the next message while the last is still on its way, and nothing typed is lost. A send that fails
 * puts its text, and any sent after it, back in the box ahead of the draft.
 */
export function Composer(props: {
  running: boolean;
  cancelling: boolean;
  error: SendError | null;
  onSend: (text: string) => Promise<boolean>;
  onCancel: () => void;
}) {
  const [text, setText] = createSignal("");
  const [outbox, setOutbox] = createSignal<string[]>([]);
  const length = () => checkLength(text());
  let draining = false;

  const drain = async () => {
    if (draining) return;
    draining = true;
    for (let next = outbox()[0]; next !== undefined; next = outbox()[0]) {
      if (!(await props.onSend(next))) {
        const unsent = outbox();
        setOutbox([]);
        setText([...unsent, text()].filter((part) => part.trim()).join("\n\n"));
        break;
      }
      setOutbox((queue) => queue.slice(1));
    }
    draining = false;
  };

  const submit = (event?: Event) => {
    event?.preventDefault();
    const message = text().trim();
    if (!message || length().over) return;
    setOutbox((queue) => [...queue, message]);
    setText("");
    void drain();
  };

  return (
    <form class="composer" onSubmit={submit} aria-label="Send a message">
      <Show when={props.error}>
        {(error) => (
          <Show
            when={error().code === "allowance_exceeded"}
            fallback={
              <p class="error small" role="alert" data-testid="send-error">
                {error().message}
              </p>
            }
          >
            <div
              class="notice composer-notice"
              role="alert"
              data-testid="send-error"
              data-code={error().code}
            >
              <AllowanceMessage
                code="allowance_exceeded"
                message={error().message}
                upgradePath="/billing"
                compact
              />
            </div>
          </Show>
        )}
      </Show>
      <div class="composer-row">
        <label class="sr-only" for="composer-input">
          Message
        </label>
        <textarea
          id="composer-input"
          name="message"
          rows={1}
          placeholder={
            props.running ? "The agent is replying; a new message waits its turn" : "Message your agent"
          }
          value={text()}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
          }}
          aria-invalid={length().over}
          aria-describedby="composer-length"
        />
        <Show when={props.running}>
          <button
            type="button"
            class="button danger"
            onClick={() => props.onCancel()}
            disabled={props.cancelling}
            data-testid="cancel-turn"
          >
            {props.cancelling ? "Stopping…" : "Stop"}
          </button>
        </Show>
        <button type="submit" class="button primary" disabled={!text().trim() || length().over}>
          Send
        </button>
      </div>
      {/* Not a live region: it changes with every key. The box names it as its description and is marked invalid
          when over the limit; crossing the limit is announced once by the alert below. */}
      <p
        id="composer-length"
        class={`composer-length small${length().over ? " over" : ""}`}
        data-testid="composer-length"
      >
        {length().label}
      </p>
      <Show when={length().over}>
        <p class="sr-only" role="alert">
          Too long to send.
        </p>
      </Show>
      <p class="composer-status small muted" role="status" data-testid="composer-status">
        {outbox().length === 0
          ? ""
          : outbox().length === 1
            ? "Sending…"
            : `Sending ${outbox().length} messages…`}
      </p>
    </form>
  );
}
