import { describe, expect, it, vi } from "vitest";
import { type SendAnswer, SendsInFlight } from "./sends-in-flight";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const stored: SendAnswer = { messageId: "m1", queued: false, replayed: false };

describe("SendsInFlight", () => {
  it("gives a resend the answer of its original still running, as replayed, without sending again", async () => {
    const sends = new SendsInFlight();
    const original = deferred<SendAnswer>();
    let sent = 0;
    const first = sends.run({ threadId: "t1", idempotencyKey: "k1", text: "hi" }, () => {
      sent++;
      return original.promise;
    });
    const resend = sends.run({ threadId: "t1", idempotencyKey: "k1", text: "hi" }, async () => {
      sent++;
      return { ...stored, messageId: "other" };
    });
    original.resolve(stored);
    expect(await first).toEqual(stored);
    expect(await resend).toEqual({ ...stored, replayed: true });
    expect(sent).toBe(1);
  });

  it("runs one waiting resend when the original fails, and the others share its answer", async () => {
    const sends = new SendsInFlight();
    const original = deferred<SendAnswer>();
    const first = sends.run({ threadId: "t1", idempotencyKey: "k1", text: "hi" }, () => original.promise);
    let sent = 0;
    const resend = () =>
      sends.run({ threadId: "t1", idempotencyKey: "k1", text: "hi" }, async () => {
        sent++;
        return stored;
      });
    const [a, b] = [resend(), resend()];
    original.reject(new Error("database unavailable"));
    await expect(first).rejects.toThrow("database unavailable");
    const answers = await Promise.all([a, b]);
    expect(sent).toBe(1);
    expect(answers.map((answer) => answer.replayed).sort()).toEqual([false, true]);
  });

  it("does not share an answer with a send that reuses the key for another text", async () => {
    const sends = new SendsInFlight();
    const original = deferred<SendAnswer>();
    const first = sends.run({ threadId: "t1", idempotencyKey: "k1", text: "hi" }, () => original.promise);
    const reused = sends.run({ threadId: "t1", idempotencyKey: "k1", text: "something else" }, async () => {
      throw new Error("idempotency_key_reused");
    });
    await expect(reused).rejects.toThrow("idempotency_key_reused");
    original.resolve(stored);
    expect(await first).toEqual(stored);
  });

  it("keeps other keys and other threads apart, and forgets a key once its send is over", async () => {
    const sends = new SendsInFlight();
    const slow = deferred<SendAnswer>();
    let sent = 0;
    const count = async () => {
      sent++;
      return stored;
    };
    const first = sends.run({ threadId: "t1", idempotencyKey: "k1", text: "hi" }, () => slow.promise);
    await sends.run({ threadId: "t1", idempotencyKey: "k2", text: "hi" }, count);
    await sends.run({ threadId: "t2", idempotencyKey: "k1", text: "hi" }, count);
    expect(sent).toBe(2);
    slow.resolve(stored);
    await first;
    // Later resends are answered by the stored message's own lookup, not from here.
    expect(await sends.run({ threadId: "t1", idempotencyKey: "k1", text: "hi" }, count)).toEqual(stored);
    expect(sent).toBe(3);
  });

  it("goes ahead on its own when the original has not answered within its wait", async () => {
    vi.useFakeTimers();
    try {
      const sends = new SendsInFlight(10_000);
      const send = { threadId: "t1", idempotencyKey: "k1", text: "hi" };
      void sends.run(send, () => new Promise<SendAnswer>(() => {}));
      let sent = 0;
      const resend = sends.run(send, async () => {
        sent++;
        return { ...stored, replayed: true };
      });
      await vi.advanceTimersByTimeAsync(9_999);
      expect(sent).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(await resend).toEqual({ ...stored, replayed: true });
      expect(sent).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
