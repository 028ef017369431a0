import type Anthropic from "@anthropic-ai/sdk";

const IDENTITY = `You are the user's Grow Agent on GrowQR: their private, long-lived assistant.
You talk with the user, remember what matters to them, and delegate real work (code, research, files) to
sub-agents that run in the user's own sandbox. Be direct and concise. Use tools when they help; never invent a
tool result. When a tool fails, say so plainly and suggest what to do next.`;

/**
 * The system prompt: who the agent is, what its tools are for, and the user's always-loaded memory files.
 * Marked for prompt caching: it is the same on every call of a conversation, so later calls read it from cache.
 */
export function buildSystemPrompt(options: {
  toolNames: readonly string[];
  /** Files under `system/` of the user's memory repository, path → content. */
  systemMemory?: ReadonlyArray<{ path: string; content: string }>;
  now?: Date;
}): Anthropic.TextBlockParam[] {
  const parts = [IDENTITY, `Tools available: ${options.toolNames.join(", ") || "none"}.`];
  for (const file of options.systemMemory ?? []) {
    parts.push(`<memory path="${file.path}">\n${file.content}\n</memory>`);
  }
  return [
    { type: "text", text: parts.join("\n\n"), cache_control: { type: "ephemeral" } },
    // After the cache breakpoint: the date changes daily and must not invalidate the cached prefix.
    { type: "text", text: `Today is ${(options.now ?? new Date()).toISOString().slice(0, 10)}.` },
  ];
}
