import { markFailed, shouldPersistActivity, transition } from "./lifecycle";
import type { StackDeps } from "./stack-deps";
import {
  emptyRecord,
  type StackEvent,
  type StackRecord,
  type StackStatus,
  type StackView,
} from "./stack-record";
import { appendEvent, stackView } from "./stack-view";

type EventArgs = [StackEvent["type"], StackEvent["data"]?];

/**
 * One stack's record and progress events: loaded once from storage, then kept in memory and written through on
 * every change, and mirrored into Postgres (failures logged, never fatal). StackController and its steps change
 * the stack only through here.
 */
export class StackState {
  private record: StackRecord | undefined;
  private events: StackEvent[] = [];
  private lastSeq = 0;
  /** When `lastActiveAt` was last written to storage (a warm ensureStack only records it in memory). */
  activityPersistedAt = 0;

  constructor(
    private readonly deps: Pick<
      StackDeps,
      "userId" | "storage" | "runtime" | "edgeUrl" | "mirror" | "onEvent" | "log"
    >,
    readonly now: () => number,
  ) {}

  async load(): Promise<StackRecord> {
    if (!this.record) {
      const { storage, userId, runtime } = this.deps;
      this.record =
        (await storage.get<StackRecord>("record")) ??
        emptyRecord(userId, runtime.app, runtime.region, this.now());
      this.events = (await storage.get<StackEvent[]>("events")) ?? [];
      this.lastSeq = this.events.at(-1)?.seq ?? 0;
      this.activityPersistedAt = this.record.lastActiveAt;
    }
    return this.record;
  }

  /**
   * Record and event change together, with no await in between: a reader interleaving between Fly calls never
   * sees a status without the event that announced it.
   */
  async save(record: StackRecord, options: { mirror?: boolean; event?: EventArgs } = {}): Promise<void> {
    this.record = record;
    const event = options.event ? this.addEvent(...options.event) : undefined;
    await this.deps.storage.put("record", record);
    if (event) await this.deps.storage.put("events", this.events);
    if (options.mirror !== false) await this.mirror(record);
  }

  /** A status change through the transition table, announced by its event. */
  async move(to: StackStatus, type: StackEvent["type"], data: StackEvent["data"] = {}): Promise<void> {
    await this.save(transition(await this.load(), to, this.now()), { event: [type, data] });
  }

  async fail(reason: string): Promise<void> {
    await this.save(markFailed(await this.load(), reason, this.now()), {
      event: ["stack.failed", { reason }],
    });
  }

  /** A warm ensureStack: activity recorded in memory at once, written to storage at most every 30 s. */
  async touch(record: StackRecord): Promise<void> {
    const now = this.now();
    record.lastActiveAt = now;
    if (shouldPersistActivity(this.activityPersistedAt, now)) {
      this.activityPersistedAt = now;
      await this.deps.storage.put("record", record);
    }
  }

  /** An event without a status change. */
  async publish(type: StackEvent["type"], data: StackEvent["data"] = {}): Promise<void> {
    this.addEvent(type, data);
    await this.deps.storage.put("events", this.events);
  }

  /** After a destroy (storage already cleared): a fresh record, no events; `seq` goes on from the last one. */
  async reset(record: StackRecord): Promise<void> {
    this.record = record;
    this.events = [];
    await this.mirror(record);
  }

  async view(after = 0): Promise<StackView> {
    const record = await this.load();
    return stackView(record, this.events, { edgeUrl: this.deps.edgeUrl, lastSeq: this.lastSeq, after });
  }

  private async mirror(record: StackRecord): Promise<void> {
    await this.deps
      .mirror(record)
      .catch((error: unknown) => this.deps.log.warn("user_stacks mirror failed", { error }));
  }

  private addEvent(type: StackEvent["type"], data: StackEvent["data"] = {}): StackEvent {
    const event: StackEvent = { seq: ++this.lastSeq, type, at: new Date(this.now()).toISOString(), data };
    this.events = appendEvent(this.events, event);
    this.deps.log.info("stack event", { type, ...data });
    this.deps.onEvent?.(event);
    return event;
  }
}
