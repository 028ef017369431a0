import type Anthropic from "@anthropic-ai/sdk";

type MessageParam = Anthropic.MessageParam;
type Block = Exclude<MessageParam["content"], string>[number];

/** Rough token estimate (4 characters per token): good enough to stay inside a budget with a margin. */
export const estimateTokens = (value: unknown): number =>
  Math.ceil((typeof value === "string" ? value : JSON.stringify(value)).length / 4);

/** The message's blocks, without empty text (a turn cancelled before its first token leaves one; the API refuses it). */
const blocksOf = (message: MessageParam): Block[] =>
  (typeof message.content === "string"
    ? [{ type: "text" as const, text: message.content }]
    : message.content
  ).filter((b) => b.type !== "text" || b.text.trim().length > 0);

/**
 * The most recent messages that fit `budgetTokens`, made valid for the Messages API: starts with a user
 * message that is not a tool result, and every tool_use has its tool_result right after it (a cancelled or
 * interrupted turn can leave either half alone; the orphan is dropped rather than failing the next turn).
 */
export function selectContext(history: readonly MessageParam[], budgetTokens: number): MessageParam[] {
  const paired = pairToolCalls(history);
  let used = 0;
  let start = paired.length;
  while (start > 0) {
    const cost = estimateTokens((paired[start - 1] as MessageParam).content);
    if (used + cost > budgetTokens && start < paired.length) break;
    used += cost;
    start--;
  }
  const window = paired.slice(start);
  // Cutting inside a tool exchange would orphan a tool_result: start at a plain user message.
  while (window.length > 0 && !isPlainUserMessage(window[0] as MessageParam)) window.shift();
  return window;
}

function isPlainUserMessage(message: MessageParam): boolean {
  return message.role === "user" && !blocksOf(message).some((b) => b.type === "tool_result");
}

function pairToolCalls(history: readonly MessageParam[]): MessageParam[] {
  const out: MessageParam[] = [];
  history.forEach((message, i) => {
    const blocks = blocksOf(message);
    if (message.role === "assistant") {
      const next = history[i + 1];
      const answered = new Set(
        next?.role === "user"
          ? blocksOf(next).flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : []))
          : [],
      );
      const kept = blocks.filter((b) => b.type !== "tool_use" || answered.has(b.id));
      if (kept.length > 0) out.push({ role: "assistant", content: kept });
      return;
    }
    const previous = history[i - 1];
    const asked = new Set(
      previous?.role === "assistant"
        ? blocksOf(previous).flatMap((b) => (b.type === "tool_use" ? [b.id] : []))
        : [],
    );
    const kept = blocks.filter((b) => b.type !== "tool_result" || asked.has(b.tool_use_id));
    if (kept.length > 0) out.push({ role: "user", content: kept });
  });
  return out;
}
