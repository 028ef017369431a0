import { createSignal, For, Show } from "solid-js";
import { api, errorMessage } from "../api/client";
import type { components } from "../api/openapi.gen";
import { useNow, watchStack } from "./stack-watch";
import { stackMoving, stackStatusWords, wakeProgress } from "./stack-wording";
import { WakeProgressView } from "./WakeProgressView";

type StackEvent = components["schemas"]["StackEvent"];

const LABELS: Record<StackEvent["type"], string> = {
  "stack.creating": "Creating your machines",
  "stack.starting": "Starting",
  "stack.health_ok": "Health checks passed",
  "stack.ready": "Ready",
  "stack.suspending": "Suspending",
  "stack.suspended": "Suspended",
  "stack.failed": "Failed",
  "stack.destroyed": "Removed",
};

/**
 * The user's sandbox and git server: status in words, wake / suspend, and the latest wake's stages. It follows the
 * stack whoever wakes it (this page, or a sub-agent in a chat), without a reload.
 */
export function StackPanel() {
  const [busy, setBusy] = createSignal(false);
  const [actionError, setActionError] = createSignal<string | null>(null);
  const { stack, events, error, refresh } = watchStack(busy);
  const now = useNow(() => stackMoving(stack()?.status));
  const progress = () => wakeProgress(events(), now());

  const act = async (action: "wake" | "suspend") => {
    setBusy(true);
    setActionError(null);
    const { error: failure } = await api.POST(action === "wake" ? "/stack/wake" : "/stack/suspend");
    if (failure) setActionError(errorMessage(failure));
    await refresh();
    setBusy(false);
  };

  return (
    <section aria-labelledby="stack-heading">
      <h2 id="stack-heading">Sandbox</h2>
      <p>
        Status:{" "}
        <strong data-testid="stack-status" data-status={stack()?.status ?? ""} aria-live="polite">
          {stack() ? stackStatusWords(stack()?.status ?? "none") : "Loading…"}
        </strong>{" "}
        <button
          type="button"
          class="button small primary"
          disabled={busy() || stack()?.status === "ready"}
          onClick={() => void act("wake")}
        >
          Wake
        </button>{" "}
        <button
          type="button"
          class="button small"
          disabled={busy() || stack()?.status !== "ready"}
          onClick={() => void act("suspend")}
        >
          Suspend
        </button>
      </p>
      <Show when={actionError() ?? error()}>
        {(message) => (
          <p role="alert" class="error">
            {message()}
          </p>
        )}
      </Show>
      <Show when={progress()}>{(wake) => <WakeProgressView progress={wake()} />}</Show>
      <Show when={events().length > 0}>
        <details class="stack-log">
          <summary>Recent events</summary>
          <ol data-testid="stack-events">
            <For each={events()}>
              {(event) => (
                <li>
                  {LABELS[event.type]}
                  {typeof event.data.reason === "string" ? `: ${event.data.reason}` : ""}{" "}
                  <small>{new Date(event.at).toLocaleTimeString()}</small>
                </li>
              )}
            </For>
          </ol>
        </details>
      </Show>
    </section>
  );
}
