import { createEffect, createSignal, on, Show, untrack } from "solid-js";
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
 *
 * Editing (`edit`, from a user message's "Edit and resend"): the message's text replaces the draft, which is kept
 * and comes back once the edit is sent or discarded. Sending an edit sends a new message; the box says so.
 */
export function Composer(props: {
  running: boolean;
  cancelling: boolean;
  error: SendError | null;
  onSend: (text: string) => Promise<boolean>;
  onCancel: () => void;
  /** Text to edit; a new object each time the user asks, so editing the same text twice works. */
  edit: { text: string } | null;
  onEditEnd: () => void;
}) {
  const [text, setText] = createSignal("");
  let textarea: HTMLTextAreaElement | undefined;
  let draftBeforeEdit = "";
  createEffect(
    on(
      () => props.edit,
      (edit, previous) => {
        if (!edit) return;
        if (!previous) draftBeforeEdit = untrack(text);
        setText(edit.text);
        // After the box shows the text: the caret at its end, ready to type.
        requestAnimationFrame(() => {
          textarea?.focus();
          textarea?.setSelectionRange(edit.text.length, edit.text.length);
        });
      },
    ),
  );
  const endEdit = (restore: string) => {
    setText(restore);
    draftBeforeEdit = "";
    props.onEditEnd();
  };
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
    if (props.edit) endEdit(draftBeforeEdit);
    else setText("");
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
      <Show when={props.edit}>
        <div class="composer-editing small" data-testid="composer-editing">
          <span id="composer-editing">
            Editing your last message. Sending adds it as a new message; the original and its reply stay.
          </span>
          <button type="button" class="button small subtle" onClick={() => endEdit(draftBeforeEdit)}>
            Discard edit
          </button>
        </div>
      </Show>
      <div class="composer-row">
        <label class="sr-only" for="composer-input">
          Message
        </label>
        <textarea
          ref={textarea}
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
            else if (e.key === "Escape" && props.edit) endEdit(draftBeforeEdit);
          }}
          aria-invalid={length().over}
          aria-describedby={props.edit ? "composer-editing composer-length" : "composer-length"}
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
