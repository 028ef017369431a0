import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import { api, errorMessage } from "../api/client";
import type { components } from "../api/openapi.gen";

type Stack = components["schemas"]["Stack"];
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

/** The user's sandbox and git server: status, wake / suspend, and progress events as they happen. */
export function StackPanel() {
  const [stack, setStack] = createSignal<Stack | null>(null);
  const [events, setEvents] = createSignal<StackEvent[]>([]);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;

  const refresh = async () => {
    const after = stack()?.lastSeq ?? 0;
    const { data, error: failure } = await api.GET("/stack", { params: { query: { after } } });
    if (failure || !data) return setError(errorMessage(failure));
    setStack(data);
    if (data.events.length > 0) setEvents((current) => [...current, ...data.events].slice(-20));
  };

  // While a wake or suspend is under way, poll for progress; the request itself answers when it is done.
  const act = async (action: "wake" | "suspend") => {
    setBusy(true);
    setError(null);
    timer = setInterval(() => void refresh(), 700);
    const { error: failure } = await api.POST(action === "wake" ? "/stack/wake" : "/stack/suspend");
    clearInterval(timer);
    if (failure) setError(errorMessage(failure));
    await refresh();
    setBusy(false);
  };

  onMount(() => void refresh());
  onCleanup(() => clearInterval(timer));

  return (
    <section aria-labelledby="stack-heading">
      <h2 id="stack-heading">Sandbox</h2>
      <p>
        Status: <strong data-testid="stack-status">{stack()?.status ?? "loading…"}</strong>{" "}
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
      {error() && (
        <p role="alert" class="error">
          {error()}
        </p>
      )}
      <Show when={events().length > 0}>
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
      </Show>
    </section>
  );
}
