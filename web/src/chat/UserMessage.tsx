import { Show } from "solid-js";
import type { UserItem } from "./chat-model";
import { MessageTime } from "./TurnView";

/**
 * A message the user sent. `onEdit` (given for the last one while no reply runs) offers "Edit and resend", which
 * puts its text in the composer; what is sent then is a new message, this one stays.
 */
export function UserMessage(props: { user: UserItem; onEdit?: () => void }) {
  return (
    <li class="message user" data-testid="user-message">
      <div class="bubble">{props.user.text}</div>
      <p class="turn-meta">
        <MessageTime at={props.user.at} />
        <Show when={props.onEdit}>
          {(onEdit) => (
            <button type="button" class="copy-button" data-testid="edit-message" onClick={() => onEdit()()}>
              Edit and resend
            </button>
          )}
        </Show>
      </p>
      <Show when={props.user.queued}>
        <span class="badge queued" data-testid="queued-badge">
          Queued: waits for the current reply
        </span>
      </Show>
    </li>
  );
}
