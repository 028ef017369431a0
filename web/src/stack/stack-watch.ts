import { type Accessor, createSignal, onCleanup } from "solid-js";
import { api, errorMessage } from "../api/client";
import type { components } from "../api/openapi.gen";
import { stackMoving } from "./stack-wording";

type Stack = components["schemas"]["Stack"];
type StackEvent = components["schemas"]["StackEvent"];

/** Polled this often while the stack is moving (or the caller asks), else this often. */
const FAST_MS = 700;
const SLOW_MS = 3_000;

/**
 * The user's stack (GET /stack), kept current for as long as the calling component lives: a sub-agent can wake the
 * stack at any time, and no push reaches the SPA for it, so it is polled, fast while something is under way. Its
 * progress events accumulate (the last 40), read with `after` so each is fetched once.
 */
export function watchStack(fast: Accessor<boolean> = () => false) {
  const [stack, setStack] = createSignal<Stack | null>(null);
  const [events, setEvents] = createSignal<StackEvent[]>([]);
  const [error, setError] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const refresh = async () => {
    const after = stack()?.lastSeq ?? 0;
    const { data, error: failure } = await api.GET("/stack", { params: { query: { after } } });
    if (failure || !data) return setError(errorMessage(failure));
    setError(null);
    setStack(data);
    if (data.events.length > 0) setEvents((current) => [...current, ...data.events].slice(-40));
  };

  const loop = async () => {
    await refresh().catch((failure) => setError(errorMessage(failure)));
    if (stopped) return;
    const soon = fast() || stackMoving(stack()?.status);
    timer = setTimeout(() => void loop(), soon ? FAST_MS : SLOW_MS);
  };
  void loop();
  onCleanup(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return { stack, events, error, refresh };
}

/** The time, ticking each second while `running` (for elapsed times on screen). */
export function useNow(running: Accessor<boolean>): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => {
    if (running()) setNow(Date.now());
  }, 1_000);
  onCleanup(() => clearInterval(tick));
  return now;
}
