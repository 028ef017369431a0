import type { ApiMessage } from "./message";

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** How many text deltas `[[fail-midstream]]` lets through before the `error` event. */
const DELTAS_BEFORE_FAILURE = 3;
/** Words per text delta, cycled, so that chunk boundaries vary like a real tokenizer's. */
const WORDS_PER_DELTA = [1, 2, 3];

/**
 * The event sequence of a streamed reply, as the real API sends it: `message_start` with empty content and
 * the input usage, per block `content_block_start` (a `ping` after the first), deltas and
 * `content_block_stop`, then `message_delta` with the stop reason and cumulative usage, and `message_stop`.
 */
export function streamEvents(message: ApiMessage, options: { failMidstream?: boolean } = {}): SseEvent[] {
  const { content, stop_reason, stop_sequence, usage, ...shell } = message;
  const { output_tokens, service_tier, ...input } = usage;
  const events: SseEvent[] = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          ...shell,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...input, output_tokens: Math.min(1, output_tokens), service_tier },
        },
      },
    },
  ];
  let textDeltas = 0;
  for (const [index, block] of content.entries()) {
    const start = block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} };
    events.push(event("content_block_start", { index, content_block: start }));
    if (index === 0) events.push(event("ping", {}));
    const deltas =
      block.type === "text"
        ? textChunks(block.text).map((text) => ({ type: "text_delta", text }))
        : jsonChunks(JSON.stringify(block.input)).map((partial_json) => ({
            type: "input_json_delta",
            partial_json,
          }));
    for (const delta of deltas) {
      events.push(event("content_block_delta", { index, delta }));
      if (delta.type === "text_delta") textDeltas++;
      if (options.failMidstream && textDeltas >= DELTAS_BEFORE_FAILURE) return [...events, overloaded()];
    }
    if (options.failMidstream) return [...events, overloaded()];
    events.push(event("content_block_stop", { index }));
  }
  if (options.failMidstream) return [...events, overloaded()];
  events.push(
    event("message_delta", {
      delta: { stop_reason, stop_sequence },
      usage: {
        input_tokens: input.input_tokens,
        cache_creation_input_tokens: input.cache_creation_input_tokens,
        cache_read_input_tokens: input.cache_read_input_tokens,
        output_tokens,
      },
    }),
    event("message_stop", {}),
  );
  return events;
}

/** The wire form: `event:` line (the SDK skips events without one), `data:` line, blank line. */
export function formatSse({ event, data }: SseEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Splits text into deltas of one to three words (with their trailing spaces); joined they are the text. */
export function textChunks(text: string): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
  const chunks: string[] = [];
  for (let i = 0, n = 0; i < words.length; n++) {
    const size = WORDS_PER_DELTA[n % WORDS_PER_DELTA.length] ?? 1;
    chunks.push(words.slice(i, i + size).join(""));
    i += size;
  }
  return chunks;
}

/** Splits tool input JSON into several `partial_json` pieces, led by an empty one as the real API does. */
export function jsonChunks(json: string): string[] {
  const size = Math.max(4, Math.ceil(json.length / 6));
  const chunks = [""];
  for (let i = 0; i < json.length; i += size) chunks.push(json.slice(i, i + size));
  return chunks;
}

const event = (type: string, rest: Record<string, unknown>): SseEvent => ({
  event: type,
  data: { type, ...rest },
});

const overloaded = (): SseEvent => ({
  event: "error",
  data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
});
