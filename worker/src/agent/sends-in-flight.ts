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

  /** `send` runs unless the same send is running; if that one fails, the next waiting resend runs. */
  async run(
    { threadId, idempotencyKey, text }: { threadId: string; idempotencyKey: string; text: string },
    send: () => Promise<SendAnswer>,
  ): Promise<SendAnswer> {
    const key = JSON.stringify([threadId, idempotencyKey, text]);
    for (let earlier = this.#running.get(key); earlier; earlier = this.#running.get(key)) {
      const answer = await earlier.catch(() => undefined);
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
