import type { OpencodeEvent } from "./opencode-events";

export interface EventStreamTarget {
  baseUrl: string;
  headers: Record<string, string>;
  /** The OpenCode instance (directory) whose events to read; the server's default one when absent. */
  directory?: string;
  signal: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * OpenCode's event stream (`GET /event`), one array per chunk read: every event that chunk completed. The SDK's
 * own reader yields one event at a time through a text-decoding pipe, which in a Durable Object costs a scheduling
 * round per event; a burst of a few hundred text deltas then takes longer to read than to relay.
 */
export async function* opencodeEvents(target: EventStreamTarget): AsyncGenerator<OpencodeEvent[]> {
  const doFetch = target.fetch ?? fetch;
  const query = target.directory ? `?directory=${encodeURIComponent(target.directory)}` : "";
  const response = await doFetch(`${target.baseUrl.replace(/\/+$/, "")}/event${query}`, {
    headers: { ...target.headers, accept: "text/event-stream" },
    signal: target.signal,
  });
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`OpenCode refused its event stream (${response.status})`);
  }
  const reader = response.body.getReader();
  const parser = new ServerSentEventParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const events = parser.push(value);
      if (events.length > 0) yield events;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The `data` of each complete server-sent event, parsed as JSON (events whose data is not JSON are skipped). */
export class ServerSentEventParser {
  readonly #decoder = new TextDecoder();
  #buffer = "";
  /** How far the buffer is known to hold no event end (a large event arrives over many chunks). */
  #scanned = 0;

  push(chunk: Uint8Array): OpencodeEvent[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const events: OpencodeEvent[] = [];
    for (;;) {
      // Back up 3 characters: an event end ("\r\n\r\n") may straddle the previous chunk's last bytes.
      const from = Math.max(0, this.#scanned - 3);
      const found = this.#buffer.slice(from).search(/\r\n\r\n|\n\n|\r\r/);
      if (found < 0) {
        this.#scanned = this.#buffer.length;
        return events;
      }
      const end = from + found;
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith("\r\n\r\n", end) ? 4 : 2));
      this.#scanned = 0;
      const event = parseBlock(block);
      if (event) events.push(event);
    }
  }
}

function parseBlock(block: string): OpencodeEvent | undefined {
  const data: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }
  if (data.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(data.join("\n"));
    return value && typeof value === "object" && typeof (value as OpencodeEvent).type === "string"
      ? (value as OpencodeEvent)
      : undefined;
  } catch {
    return undefined;
  }
}
