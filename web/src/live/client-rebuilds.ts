import { lookupVerdict } from "./manager-lookup";

/**
 * The live connection's RivetKit client, one generation at a time: a lookup refused for the client's fixed token
 * (manager-lookup.ts) disposes that client and builds the next with a fresh token, after a backoff that grows with
 * each rebuild until the connection opens again. Failures of a replaced generation are ignored, so one refusal
 * makes one rebuild however often the old client retried meanwhile.
 */
export interface ClientRebuildsOptions<G> {
  /** A new client and its connection (fresh token in its headers); `id` names the generation in `lookupFailed`. */
  build(id: number): Promise<G>;
  /** Disposes a replaced (or, at `dispose`, the last) generation: its connection stops retrying. */
  discard(generation: G): Promise<void>;
}

/** `ignore`: from a replaced generation; `retry`: RivetKit retries; `rebuild`: replaced (`quiet`: routine). */
export type LookupOutcome = { action: "ignore" | "retry" } | { action: "rebuild"; quiet: boolean };

export interface ClientRebuilds<G> {
  /** The current generation, or the next one while it is waited for and built. */
  current(): Promise<G>;
  /** Whether generation `id` is the one in use (its status, events and errors count; a replaced one's do not). */
  isCurrent(id: number): boolean;
  /** A lookup of generation `id` failed with `error`. */
  lookupFailed(id: number, error: unknown): LookupOutcome;
  /** Generation `id` opened its connection: the next refusal is routine again, rebuilt at once. */
  opened(id: number): void;
  dispose(): Promise<void>;
}

export function createClientRebuilds<G>(options: ClientRebuildsOptions<G>): ClientRebuilds<G> {
  let disposed = false;
  let generation = 0;
  let rebuilds = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;

  const start = (afterMs: number): Promise<G> => {
    const id = ++generation;
    const built = (async () => {
      if (afterMs > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, afterMs);
        });
      }
      if (disposed) throw new Error("The live connection was closed");
      return options.build(id);
    })();
    // Whoever waits on `current()` sees a failure; nobody else has to.
    built.catch(() => {});
    return built;
  };

  let current = start(0);

  return {
    current: () => current,
    isCurrent: (id) => !disposed && id === generation,
    lookupFailed(id, error) {
      if (disposed || id !== generation) return { action: "ignore" };
      const verdict = lookupVerdict(error, rebuilds);
      if (!verdict.rebuild) return { action: "retry" };
      // Counted now: the backoff grows with each rebuild until a connection opens (`opened`).
      rebuilds++;
      const replaced = current;
      current = start(verdict.afterMs);
      void replaced.then((old) => options.discard(old)).catch(() => {});
      return { action: "rebuild", quiet: verdict.quiet };
    },
    opened(id) {
      if (id === generation) rebuilds = 0;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(timer);
      wake?.();
      await current.then((last) => options.discard(last)).catch(() => {});
    },
  };
}
