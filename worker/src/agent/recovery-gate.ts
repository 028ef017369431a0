import { orAfter } from "../../../platform/with-timeout";

export interface RecoveryGateDeps {
  /** The recovery itself (restart-recovery.ts, wired by the runtime). */
  run(): Promise<void>;
  /** A recovery failed: keep the turn-watch alarm armed so it runs again without a client. */
  keepWatch(): void;
  /** How long new work waits for a recovery before it goes ahead anyway. */
  waitMs: number;
}

/**
 * Whether the agent is recovering from a restart, and what waits for it. New work waits (bounded): otherwise a
 * message stored during recovery would look unanswered to it and run twice, and a turn started during it would
 * look interrupted.
 */
export class RecoveryGate {
  #recovering?: Promise<void>;
  /** The last recovery could not finish (database away, log not whole): the turn-watch alarm runs it again. */
  #unfinished = false;

  constructor(private readonly deps: RecoveryGateDeps) {}

  /** A recovery runs now. */
  get running(): boolean {
    return this.#recovering !== undefined;
  }

  /** The last recovery failed and has not run again successfully. */
  get unfinished(): boolean {
    return this.#unfinished;
  }

  /** Runs a recovery, or joins the one running (a second would find the first's work half done). */
  recover(): Promise<void> {
    if (this.#recovering) return this.#recovering;
    this.#recovering = this.deps
      .run()
      .then(
        () => {
          this.#unfinished = false;
        },
        (error: unknown) => {
          this.#unfinished = true;
          this.deps.keepWatch();
          throw error;
        },
      )
      .finally(() => {
        this.#recovering = undefined;
      });
    return this.#recovering;
  }

  /** Resolves once a running recovery ends (however it ends), or after `waitMs`. */
  async passed(): Promise<void> {
    if (!this.#recovering) return;
    await orAfter(
      this.#recovering.catch(() => {}),
      this.deps.waitMs,
      undefined,
    );
  }
}
