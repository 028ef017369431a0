import type { AgentEventData, AgentEventType, EmitEvent } from "./agent-events";

type TextDelta = AgentEventData["text.delta"];

/** How long deltas behind a sent one are gathered: ~40 updates a second, smoother than a screen needs. */
export const TEXT_BATCH_MS = 25;

/**
 * A turn's event writes in order. They go out without waiting for each write (the event pipeline batches and keeps
 * order); the turn waits for them at `flush`, only where order against other writes matters, and a failed write
 * fails the turn there. Text deltas are batched: the first goes out at once, those behind it within
 * `TEXT_BATCH_MS` are joined into one event, so the first words wait for nothing and a fast stream (or one a busy
 * isolate reads late, many deltas at a time) costs one event (a seq, a stored row, a broadcast) per batch, not per
 * delta.
 */
export class PendingEmits {
  #writes: Promise<void>[] = [];
  #held: TextDelta | null = null;
  #cooling: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly emit: EmitEvent) {}

  add<T extends AgentEventType>(type: T, data: AgentEventData[T]): void {
    this.#release();
    this.#write(type, data);
  }

  addText(delta: TextDelta): void {
    const held = this.#held;
    if (held && held.turnId === delta.turnId && held.step === delta.step && held.index === delta.index) {
      this.#held = { ...held, text: held.text + delta.text };
      return;
    }
    this.#release();
    if (this.#cooling === undefined) {
      this.#write("text.delta", delta);
      this.#cool();
    } else this.#held = delta;
  }

  async flush(): Promise<void> {
    this.#release();
    clearTimeout(this.#cooling);
    this.#cooling = undefined;
    const writes = this.#writes;
    this.#writes = [];
    await Promise.all(writes);
  }

  /** For `TEXT_BATCH_MS`, further deltas are held; if any were, they go out then and the next window starts. */
  #cool(): void {
    this.#cooling = setTimeout(() => {
      this.#cooling = undefined;
      if (!this.#held) return;
      this.#release();
      this.#cool();
    }, TEXT_BATCH_MS);
  }

  #release(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    this.#write("text.delta", held);
  }

  #write<T extends AgentEventType>(type: T, data: AgentEventData[T]): void {
    const write = this.emit(type, data);
    write.catch(() => {}); // observed in flush()
    this.#writes.push(write);
  }
}
