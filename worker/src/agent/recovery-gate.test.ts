import { describe, expect, it, vi } from "vitest";
import { RecoveryGate } from "./recovery-gate";

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("RecoveryGate", () => {
  it("holds new work until the running recovery ends", async () => {
    const run = deferred();
    const gate = new RecoveryGate({ run: () => run.promise, keepWatch: () => {}, waitMs: 60_000 });
    const recovering = gate.recover();
    expect(gate.running).toBe(true);
    let passed = false;
    const waiting = gate.passed().then(() => {
      passed = true;
    });
    await Promise.resolve();
    expect(passed).toBe(false);
    run.resolve();
    await recovering;
    await waiting;
    expect(passed).toBe(true);
    expect(gate.running).toBe(false);
    expect(gate.unfinished).toBe(false);
  });

  it("lets work go ahead after waitMs when a recovery hangs", async () => {
    vi.useFakeTimers();
    try {
      const gate = new RecoveryGate({
        run: () => new Promise(() => {}),
        keepWatch: () => {},
        waitMs: 10_000,
      });
      void gate.recover();
      let passed = false;
      const waiting = gate.passed().then(() => {
        passed = true;
      });
      await vi.advanceTimersByTimeAsync(9_999);
      expect(passed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(passed).toBe(true);
      expect(gate.running).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("marks a failed recovery unfinished and keeps the watch armed, until one succeeds", async () => {
    const keepWatch = vi.fn();
    let fail = true;
    const gate = new RecoveryGate({
      run: async () => {
        if (fail) throw new Error("database away");
      },
      keepWatch,
      waitMs: 1_000,
    });
    await expect(gate.recover()).rejects.toThrow("database away");
    expect(gate.unfinished).toBe(true);
    expect(gate.running).toBe(false);
    expect(keepWatch).toHaveBeenCalledTimes(1);
    // Work does not wait on a recovery that already failed.
    await gate.passed();
    fail = false;
    await gate.recover();
    expect(gate.unfinished).toBe(false);
    expect(keepWatch).toHaveBeenCalledTimes(1);
  });

  it("answers passed() at once when nothing recovers", async () => {
    const gate = new RecoveryGate({ run: async () => {}, keepWatch: () => {}, waitMs: 60_000 });
    await expect(gate.passed()).resolves.toBeUndefined();
    expect(gate.running).toBe(false);
  });

  it("joins a recovery already running instead of starting a second one", async () => {
    const run = deferred();
    let runs = 0;
    const gate = new RecoveryGate({
      run: () => {
        runs++;
        return run.promise;
      },
      keepWatch: () => {},
      waitMs: 60_000,
    });
    const first = gate.recover();
    const second = gate.recover();
    expect(runs).toBe(1);
    run.resolve();
    await Promise.all([first, second]);
    expect(gate.running).toBe(false);
  });

  it("leaves no timer behind once the recovery it waited for has ended", async () => {
    vi.useFakeTimers();
    try {
      const run = deferred();
      const gate = new RecoveryGate({ run: () => run.promise, keepWatch: () => {}, waitMs: 10_000 });
      const recovering = gate.recover();
      const waiting = gate.passed();
      run.resolve();
      await recovering;
      await waiting;
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
