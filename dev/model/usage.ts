import { createHash } from "node:crypto";
import type { CacheControl, MessagesRequest } from "./request";

/** The dev model's tokenizer: about four characters a token, deterministic, good enough for metering tests. */
export const tokensFor = (chars: number): number => Math.ceil(chars / 4);

export interface InputMeasure {
  /** Characters of everything the model reads: tools, system, messages. */
  chars: number;
  /** The prefix up to the last `cache_control` breakpoint, if the request marks one. */
  cached?: { key: string; chars: number; ttl: "5m" | "1h" };
}

export interface InputUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

type Segment = { text: string; cache?: CacheControl | null };

/**
 * Measures a request in the order the real API builds its cache prefix: tools, then system, then messages.
 * `cache_control` itself is left out of the text so that moving a breakpoint does not change the prefix.
 */
export function measureInput(request: MessagesRequest): InputMeasure {
  // Validated already; blocks without a `cache_control` field simply have none.
  const split = (item: object): Segment => {
    const { cache_control, ...rest } = item as { cache_control?: CacheControl | null };
    return { text: JSON.stringify(rest), cache: cache_control };
  };
  const segments: Segment[] = (request.tools ?? []).map(split);
  if (typeof request.system === "string") segments.push({ text: request.system });
  else
    for (const block of request.system ?? []) segments.push({ text: block.text, cache: block.cache_control });
  for (const message of request.messages) {
    if (typeof message.content === "string") segments.push({ text: `${message.role}: ${message.content}` });
    else segments.push(...message.content.map(split));
  }
  // Top-level `cache_control` is automatic caching: the breakpoint sits on the last block.
  const last = segments.at(-1);
  if (request.cache_control && last && !last.cache) last.cache = request.cache_control;

  const chars = segments.reduce((sum, s) => sum + s.text.length, 0);
  const breakpoint = segments.findLastIndex((s) => s.cache);
  if (breakpoint < 0) return { chars };
  const prefix = segments.slice(0, breakpoint + 1);
  const hash = createHash("sha256").update(request.model);
  for (const s of prefix) hash.update("\u0000").update(s.text);
  return {
    chars,
    cached: {
      key: hash.digest("hex"),
      chars: prefix.reduce((sum, s) => sum + s.text.length, 0),
      ttl: segments[breakpoint]?.cache?.ttl ?? "5m",
    },
  };
}

/** Prefix hashes the dev model has "cached"; bounded, oldest forgotten first, like an expiring cache. */
export class PromptCache {
  readonly #keys = new Set<string>();
  constructor(private readonly limit = 1000) {}

  /** True when the prefix was cached already; otherwise caches it now (a cache write). */
  hitOrWrite(key: string): boolean {
    if (this.#keys.has(key)) return true;
    this.#keys.add(key);
    if (this.#keys.size > this.limit) this.#keys.delete(this.#keys.values().next().value as string);
    return false;
  }

  clear(): void {
    this.#keys.clear();
  }
}

/** Input usage as the real API reports it: `input_tokens` counts only what follows the cached prefix. */
export function inputUsage(measure: InputMeasure, cache: PromptCache): InputUsage {
  const usage: InputUsage = {
    input_tokens: tokensFor(measure.chars),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };
  const cached = measure.cached;
  if (!cached) return usage;
  const prefixTokens = tokensFor(cached.chars);
  usage.input_tokens = tokensFor(measure.chars - cached.chars);
  if (cache.hitOrWrite(cached.key)) usage.cache_read_input_tokens = prefixTokens;
  else {
    usage.cache_creation_input_tokens = prefixTokens;
    if (cached.ttl === "1h") usage.cache_creation.ephemeral_1h_input_tokens = prefixTokens;
    else usage.cache_creation.ephemeral_5m_input_tokens = prefixTokens;
  }
  return usage;
}
