import { orAfter } from "../../../platform/with-timeout";

export interface SendAnswer {
  messageId: string;
  queued: boolean;
  replayed: boolean;
}

/**
 * The sends this run is carrying out, by thread, idempotency key and text. A resend that arrives while its original
 * is still being stored shares the original's answer (as `replayed`) instead of racing it: its own lookup could see
 * the stored row before the original had marked it as being logged here, and both would log it and run a turn. A
 * send that reuses the key for another text is not a resend: it runs, and is refused as the key's reuse.
 */
export class SendsInFlight {
  readonly #running = new Map<string, Promise<SendAnswer>>();

  /**
   * @param waitMs How long a resend waits for its original before going ahead on its own: an original stuck on a
   *   dead socket must not hold every resend with it.
   */
  constructor(private readonly waitMs = 10_000) {}

  /**
   * `send` runs unless the same send is running; if that one fails, the next waiting resend runs, and if it has not
   * answered within `waitMs`, this one runs anyway.
   */
  async run(
    { threadId, idempotencyKey, text }: { threadId: string; idempotencyKey: string; text: string },
    send: () => Promise<SendAnswer>,
  ): Promise<SendAnswer> {
    const key = JSON.stringify([threadId, idempotencyKey, text]);
    for (let earlier = this.#running.get(key); earlier; earlier = this.#running.get(key)) {
      const answer = await orAfter(
        earlier.catch(() => undefined),
        this.waitMs,
        null,
      );
      if (answer === null) break;
      if (answer) return { ...answer, replayed: true };
    }
    const sending = send();
    this.#running.set(key, sending);
    try {
      return await sending;
    } finally {
      if (this.#running.get(key) === sending) this.#running.delete(key);
    }
  }
}
