import { createSignal, Show } from "solid-js";
import { errorMessage } from "../api/client";
import { type MemoryWriteResult, pathProblem, useWriteMemory } from "./memory-queries";

/** Edit a file (or write a new one) and commit it with a message. */
export function MemoryEditor(props: {
  path: string;
  initial: string;
  creating: boolean;
  onDone: (result: MemoryWriteResult) => void;
  onCancel: () => void;
}) {
  const [content, setContent] = createSignal(props.initial);
  const [message, setMessage] = createSignal("");
  const write = useWriteMemory();
  const defaultMessage = () => `${props.creating ? "Create" : "Update"} ${props.path}`;
  const unchanged = () => !props.creating && content() === props.initial;

  const submit = async (event: Event) => {
    event.preventDefault();
    const result = await write
      .mutateAsync({ path: props.path, content: content(), message: message().trim() || defaultMessage() })
      .catch(() => null);
    if (result) props.onDone(result);
  };

  return (
    <form
      class="memory-editor"
      onSubmit={submit}
      aria-label={`Edit ${props.path}`}
      data-testid="memory-editor"
    >
      <label class="field">
        Content
        <textarea
          name="content"
          rows={14}
          value={content()}
          onInput={(e) => setContent(e.currentTarget.value)}
          spellcheck={true}
        />
      </label>
      <label class="field">
        Commit message
        <input
          name="message"
          type="text"
          maxLength={200}
          placeholder={defaultMessage()}
          value={message()}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </label>
      <Show when={write.error}>
        {(error) => (
          <p class="error small" role="alert" data-testid="memory-write-error">
            {pathProblem(error()) ?? `Could not save: ${errorMessage(error())}`}
          </p>
        )}
      </Show>
      <div class="editor-actions">
        <button type="submit" class="button primary" disabled={write.isPending || unchanged()}>
          {write.isPending ? "Committing…" : "Commit"}
        </button>
        <button type="button" class="button" onClick={() => props.onCancel()} disabled={write.isPending}>
          Cancel
        </button>
        <Show when={unchanged()}>
          <span class="muted small">No changes yet.</span>
        </Show>
      </div>
    </form>
  );
}
