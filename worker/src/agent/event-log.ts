import type { Logger } from "../../../platform/logger";
import { orAfter } from "../../../platform/with-timeout";
import type { Database } from "../../../schema/db";
import { lastEventSeq, storeSequencedEvents } from "../threads/thread-log.repository";
import type { AgentEventData, AgentEventType } from "./agent-events";
import { EventPipeline, type StoredEvent, ThreadGoneError } from "./event-pipeline";
import { EventShipper } from "./event-shipper";
import { LocalEventOutbox, type TextKv } from "./local-event-outbox";

/** Deltas wait up to this long to be shipped to Postgres together (clients have them at once from the outbox). */
const SHIP_LINGER_MS = 50;
const STREAMED_DELTAS: ReadonlySet<string> = new Set(["text.delta", "subagent.text"]);

export interface ThreadEventLogDeps {
  db(): Database;
  userId: string;
  /** The actor's own storage (`c.kv`): the local outbox events are written to first. */
  kv: TextKv;
  /** Sends a stored event to every connection of the user's Grow Agent. */
  broadcast(event: StoredEvent): void;
  /** Keeps the Durable Object working while events ship to Postgres. */
  keepAlive(work: Promise<unknown>): void;
  /** Postgres no longer has the thread (it was deleted): whatever runs in it should stop. */
  onThreadGone(threadId: string): void;
  log: Logger;
}

/**
 * The user's thread event logs, written only by this actor (docs/agent.md, decisions/0004): seqs are given out
 * here, each batch is stored in the actor's storage, then broadcast, then shipped to Postgres in the background.
 */
export class ThreadEventLog {
  readonly #pipeline: EventPipeline;
  readonly #outbox: LocalEventOutbox;
  readonly #shipper: EventShipper;
  /** Last seq given out per thread. This actor is the only writer of its user's thread events. */
  readonly #lastSeqs = new Map<string, number>();

  constructor(private readonly deps: ThreadEventLogDeps) {
    this.#outbox = new LocalEventOutbox(deps.kv);
    this.#shipper = new EventShipper({
      ship: async (threadId, events) =>
        (await storeSequencedEvents(deps.db(), { userId: deps.userId, threadId, events }))
          ? "stored"
          : "thread_gone",
      shipped: (events) => this.#outbox.remove(events),
      onThreadGone: (threadId) => deps.onThreadGone(threadId),
      onRetry: (threadId, attempt, error) =>
        deps.log.warn("event shipping to Postgres failed; retrying", { threadId, attempt, error }),
      linger: { types: STREAMED_DELTAS, ms: SHIP_LINGER_MS },
    });
    this.#pipeline = new EventPipeline({
      persist: (threadId, batch) => this.#writeLocally(threadId, batch),
      deliver: (event) => deps.broadcast(event),
    });
  }

  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<StoredEvent> {
    return this.#pipeline.emit(threadId, type, data);
  }

  /**
   * The last seq given out for the thread that Postgres may not have yet: a live stream that read the log up to
   * less waits for the shipper (worker/src/threads/event-stream.ts). 0 when everything given out is shipped.
   */
  async unshippedUpTo(threadId: string): Promise<number> {
    return this.#lastSeqs.get(threadId) ?? (await this.#outbox.lastSeq(threadId)) ?? 0;
  }

  /**
   * Whether every event given out for the thread is in Postgres (what must be read back from it), waiting at most
   * `waitMs` for it.
   */
  async shipped(threadId: string, waitMs: number): Promise<boolean> {
    return orAfter(
      this.#shipper.idle(threadId).then(() => true),
      waitMs,
      false,
    );
  }

  /** Events in the local outbox and not yet in Postgres (after a restart: what the last run left). */
  pending(): Promise<Map<string, StoredEvent[]>> {
    return this.#outbox.pending();
  }

  /** Ships those to Postgres; resolves once everything queued is there, or after `waitMs`. */
  async shipPending(pending: Map<string, StoredEvent[]>, waitMs: number): Promise<void> {
    for (const [threadId, events] of pending) this.#shipper.enqueue(threadId, events);
    await orAfter(this.#shipper.idle(), waitMs, undefined);
  }

  /** Seqs given out here, stored in the actor's storage, then shipped to Postgres in the background. */
  async #writeLocally(threadId: string, batch: ReadonlyArray<{ type: string; data: unknown }>) {
    const last = this.#lastSeqs.get(threadId) ?? (await this.#loadLastSeq(threadId));
    const at = new Date();
    const events = batch.map((e, i) => ({ threadId, seq: last + i + 1, type: e.type, data: e.data, at }));
    await this.#outbox.append(events);
    this.#lastSeqs.set(threadId, last + events.length);
    this.deps.keepAlive(this.#shipper.enqueue(threadId, events));
    return events;
  }

  async #loadLastSeq(threadId: string): Promise<number> {
    const [local, stored] = await Promise.all([
      this.#outbox.lastSeq(threadId),
      lastEventSeq(this.deps.db(), this.deps.userId, threadId),
    ]);
    if (stored === undefined) throw new ThreadGoneError(threadId);
    return Math.max(local ?? 0, stored);
  }
}
