import type { StoredEvent } from "./event-pipeline";

/** The part of RivetKit's actor KV (`c.kv`, Durable Object SQLite underneath) the outbox needs. */
export interface TextKv {
  putBatch(entries: [string, string][]): Promise<void>;
  list(prefix: string): Promise<[string, string][]>;
  deleteBatch(keys: string[]): Promise<void>;
  get(key: string): Promise<string | null>;
}

const EVENTS = "agent-events/";
const LAST_SEQ = "agent-last-seq/";
const eventKey = (threadId: string, seq: number) => `${EVENTS}${threadId}/${String(seq).padStart(15, "0")}`;

/**
 * Events written to the Durable Object's own storage first: a local write is fast and durable (and workerd holds
 * the broadcast behind it until it is), so clients get deltas without waiting for Postgres. Each event stays
 * here until it is in Postgres (event-shipper.ts); after a restart, what is left is shipped before anything else.
 */
export class LocalEventOutbox {
  constructor(private readonly kv: TextKv) {}

  async append(events: readonly StoredEvent[]): Promise<void> {
    const last = events.at(-1);
    if (!last) return;
    await this.kv.putBatch([
      ...events.map((e): [string, string] => [
        eventKey(e.threadId, e.seq),
        JSON.stringify({ type: e.type, data: e.data, at: e.at.toISOString() }),
      ]),
      [`${LAST_SEQ}${last.threadId}`, String(last.seq)],
    ]);
  }

  /** The last seq this actor gave out in the thread, if any (it may not have reached Postgres yet). */
  async lastSeq(threadId: string): Promise<number | undefined> {
    const value = await this.kv.get(`${LAST_SEQ}${threadId}`);
    return value === null ? undefined : Number(value);
  }

  /** Events not yet shipped, per thread in seq order. */
  async pending(): Promise<Map<string, StoredEvent[]>> {
    const byThread = new Map<string, StoredEvent[]>();
    for (const [key, value] of await this.kv.list(EVENTS)) {
      const [threadId = "", seq = "0"] = key.slice(EVENTS.length).split("/");
      const { type, data, at } = JSON.parse(value) as { type: string; data: unknown; at: string };
      const list = byThread.get(threadId) ?? [];
      list.push({ threadId, seq: Number(seq), type, data, at: new Date(at) });
      byThread.set(threadId, list);
    }
    for (const list of byThread.values()) list.sort((a, b) => a.seq - b.seq);
    return byThread;
  }

  async remove(events: readonly StoredEvent[]): Promise<void> {
    if (events.length > 0) await this.kv.deleteBatch(events.map((e) => eventKey(e.threadId, e.seq)));
  }
}
