import type { DevModelEvent } from "../../dev/model/model-server";

/**
 * The model's own time, per user, from dev/model's events (it runs in the load run's process): each streamed
 * request from its `message_start` to its `message_stop`. A turn's overhead is its latency minus the model time
 * of its user's requests inside it; each load user has one turn in flight at a time, so that is the turn's own.
 */
export function createModelClock() {
  const started = new Map<string, { userId: string; at: number }>();
  const spans = new Map<string, Array<{ from: number; to: number }>>();
  return {
    onEvent(event: DevModelEvent): void {
      if (!event.userId) return;
      if (event.type === "message_start")
        started.set(event.requestId, { userId: event.userId, at: event.at });
      if (event.type !== "message_stop" && event.type !== "client_closed") return;
      const start = started.get(event.requestId);
      if (!start) return;
      started.delete(event.requestId);
      const list = spans.get(start.userId) ?? [];
      list.push({ from: start.at, to: event.at });
      spans.set(start.userId, list);
    },
    /** Milliseconds the model spent on `userId`'s requests that ran within [from, to] (wall clock). */
    modelMs(userId: string, from: number, to: number): number {
      let total = 0;
      for (const span of spans.get(userId) ?? []) {
        if (span.from >= from && span.to <= to) total += span.to - span.from;
      }
      return total;
    },
  };
}
export type ModelClock = ReturnType<typeof createModelClock>;
