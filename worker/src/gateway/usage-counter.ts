import type { TokenUsage } from "../agent/usage-meter";

/** What one Messages API call used, read from its real response. */
export interface CallUsage {
  model: string;
  messageId?: string;
  usage: TokenUsage;
}

interface UsageFields {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

const count = (value: unknown) =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;

/** Later reports win field by field: `message_delta` carries cumulative totals (and, lately, input counts too). */
function merge(into: TokenUsage, fields: UsageFields | undefined): TokenUsage {
  if (!fields) return into;
  return {
    input_tokens: fields.input_tokens != null ? count(fields.input_tokens) : into.input_tokens,
    output_tokens: fields.output_tokens != null ? count(fields.output_tokens) : into.output_tokens,
    cache_read_input_tokens:
      fields.cache_read_input_tokens != null
        ? count(fields.cache_read_input_tokens)
        : into.cache_read_input_tokens,
    cache_creation_input_tokens:
      fields.cache_creation_input_tokens != null
        ? count(fields.cache_creation_input_tokens)
        : into.cache_creation_input_tokens,
  };
}

const empty = (): TokenUsage => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
});

/**
 * Reads a Messages API event stream as it passes and keeps the usage it reports: `message_start` (input, cache,
 * first output count) and each `message_delta` (cumulative output). Chunks may split anywhere, even inside a
 * UTF-8 character or a `\r\n`; lines are only read once complete. Never throws on odd input: what cannot be
 * parsed is not usage.
 */
export class SseUsageCounter {
  #decoder = new TextDecoder();
  #buffer = "";
  #data: string[] = [];
  #model: string | undefined;
  #messageId: string | undefined;
  #usage: TokenUsage | undefined;

  push(chunk: Uint8Array): void {
    this.#consume(this.#decoder.decode(chunk, { stream: true }));
  }

  /** The stream ended: a last event without its blank line still counts. */
  end(): void {
    this.#consume(`${this.#decoder.decode()}\n\n`);
  }

  /** Undefined until a `message_start` arrived: no message, nothing the model was paid for. */
  get result(): CallUsage | undefined {
    if (!this.#usage) return undefined;
    return { model: this.#model ?? "unknown", messageId: this.#messageId, usage: this.#usage };
  }

  #consume(text: string): void {
    this.#buffer += text;
    for (;;) {
      const newline = this.#buffer.search(/\r\n|\r|\n/);
      // A lone '\r' at the end may be the first half of '\r\n': wait for the next chunk.
      if (newline < 0 || (this.#buffer[newline] === "\r" && newline === this.#buffer.length - 1)) return;
      const line = this.#buffer.slice(0, newline);
      const width = this.#buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.#buffer = this.#buffer.slice(newline + width);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === "") {
      if (this.#data.length > 0) this.#event(this.#data.join("\n"));
      this.#data = [];
      return;
    }
    if (line.startsWith("data:")) this.#data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }

  #event(data: string): void {
    let event: {
      type?: unknown;
      message?: { id?: unknown; model?: unknown; usage?: UsageFields };
      usage?: UsageFields;
    };
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (event?.type === "message_start" && event.message) {
      if (typeof event.message.model === "string") this.#model = event.message.model;
      if (typeof event.message.id === "string") this.#messageId = event.message.id;
      this.#usage = merge(this.#usage ?? empty(), event.message.usage);
    } else if (event?.type === "message_delta") {
      this.#usage = merge(this.#usage ?? empty(), event.usage);
    }
  }
}

/** The usage of a non-streaming answer (a `Message` JSON); undefined when it is not one. */
export function usageOfMessage(body: unknown): CallUsage | undefined {
  if (!body || typeof body !== "object") return undefined;
  const message = body as { type?: unknown; id?: unknown; model?: unknown; usage?: UsageFields };
  if (message.type !== "message" || !message.usage) return undefined;
  return {
    model: typeof message.model === "string" ? message.model : "unknown",
    messageId: typeof message.id === "string" ? message.id : undefined,
    usage: merge(empty(), message.usage),
  };
}

/** Reads a whole event stream (the gateway's metering branch of a tee) and answers its usage. */
export async function usageOfStream(stream: ReadableStream<Uint8Array>): Promise<CallUsage | undefined> {
  const counter = new SseUsageCounter();
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      counter.push(value);
    }
  } catch {
    // The upstream connection broke: what was reported so far was used all the same.
  }
  counter.end();
  return counter.result;
}
