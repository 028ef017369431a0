import { createSignal, Show } from "solid-js";
import { AllowanceMessage } from "./NoticeView";

/** Why the last send failed; `code` `allowance_exceeded` (402) comes with the way to upgrade. */
export interface SendError {
  message: string;
  code?: string;
}

/** The message box: Enter sends, Shift+Enter is a new line; Stop cancels the running reply. */
export function Composer(props: {
  running: boolean;
  cancelling: boolean;
  error: SendError | null;
  onSend: (text: string) => Promise<boolean>;
  onCancel: () => void;
}) {
  const [text, setText] = createSignal("");
  const [sending, setSending] = createSignal(false);

  const submit = async (event?: Event) => {
    event?.preventDefault();
    const message = text().trim();
    if (!message || sending()) return;
    setSending(true);
    const sent = await props.onSend(message);
    setSending(false);
    if (sent) setText("");
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
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) void submit(e);
          }}
          maxLength={16_000}
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
        <button type="submit" class="button primary" disabled={sending() || !text().trim()}>
          {sending() ? "Sending…" : "Send"}
        </button>
      </div>
    </form>
  );
}
