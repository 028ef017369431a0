import Anthropic from "@anthropic-ai/sdk";
import type { AgentEventData, EmitEvent } from "./agent-events";
import { PendingEmits } from "./pending-emits";
import type { ToolContext, ToolOutcome, ToolRegistry } from "./tool-registry";

type MessageParam = Anthropic.MessageParam;
type ContentBlock = Anthropic.ContentBlockParam;

export interface TurnSettings {
  model: string;
  /** Model calls per turn; a turn that still wants tools after this many ends with stop reason `step_limit`. */
  maxSteps: number;
  maxOutputTokens: number;
}

export interface StoredMessage {
  role: "user" | "assistant";
  content: ContentBlock[];
  status: "complete" | "partial" | "error";
  usage?: Anthropic.Usage;
}

export interface TurnDeps {
  anthropic: Anthropic;
  settings: TurnSettings;
  system: Anthropic.TextBlockParam[];
  tools: ToolRegistry;
  /** Also carries the turn's abort signal: cancel aborts the model stream and running tools. */
  toolContext: ToolContext;
  /** Persists and broadcasts in call order; resolves once persisted. */
  emit: EmitEvent;
  /** Stores a message of the conversation; returns its id. */
  saveMessage(message: StoredMessage): Promise<string>;
  /** Idempotent per (turn, step): a retried write does not count tokens twice. */
  recordUsage(step: number, model: string, usage: Anthropic.Usage): Promise<void>;
  /** The caller already logged `turn.started` (a regenerated reply logs it before replacing the old one). */
  started?: boolean;
}

export type TurnOutcome =
  | { status: "completed"; stopReason: string; steps: number }
  | { status: "cancelled" }
  | { status: "failed"; code: string; message: string };

/**
 * One turn of the Grow Agent: stream the model, turn every delta and tool call into an event, run the tools
 * the model asked for (in parallel), feed the results back, and repeat until the model ends its turn or the
 * step limit. Every message of the exchange is stored so the next turn sees exactly what the model saw.
 */
export async function runTurn(
  turnId: string,
  messageId: string,
  history: MessageParam[],
  deps: TurnDeps,
): Promise<TurnOutcome> {
  const { settings, toolContext } = deps;
  const signal = toolContext.signal;
  const pending = new PendingEmits(deps.emit);
  const messages = [...history];
  if (!deps.started) pending.add("turn.started", { turnId, messageId, model: settings.model });

  let step = 0;
  let streamed = new Map<number, string>();
  try {
    while (step < settings.maxSteps) {
      step++;
      streamed = new Map();
      const stream = deps.anthropic.messages.stream(
        {
          model: settings.model,
          max_tokens: settings.maxOutputTokens,
          system: deps.system,
          tools: deps.tools.definitions(),
          messages,
          // Anthropic's opaque end-user id (our internal id, never an email): lets abuse be traced to one user.
          metadata: { user_id: toolContext.userId },
        },
        { signal },
      );
      for await (const event of stream) {
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
          streamed.set(event.index, (streamed.get(event.index) ?? "") + event.delta.text);
          pending.addText({ turnId, step, index: event.index, text: event.delta.text });
        } else if (event.type === "content_block_stop") {
          const block = stream.currentMessage?.content[event.index];
          if (block?.type === "tool_use") {
            pending.add("tool.call", {
              turnId,
              step,
              toolUseId: block.id,
              name: block.name,
              input: block.input,
            });
          }
        }
      }
      const reply = await stream.finalMessage();
      const content = reply.content.map(toParam);
      // The usage row and the reply are independent writes: both at once, one round trip's wait. Each is announced
      // once stored; a stored reply is never stored again as a partial one when the other write fails.
      const [usageWritten, saved] = await Promise.allSettled([
        pending.flush().then(() => deps.recordUsage(step, reply.model, reply.usage)),
        deps.saveMessage({ role: "assistant", content, status: "complete", usage: reply.usage }),
      ]);
      if (usageWritten.status === "fulfilled") pending.add("usage", usageEvent(turnId, step, reply));
      if (saved.status === "fulfilled") {
        streamed = new Map();
        pending.add("message.assistant", { turnId, messageId: saved.value, status: "complete" });
      }
      for (const write of [usageWritten, saved]) if (write.status === "rejected") throw write.reason;
      messages.push({ role: "assistant", content });

      const calls = reply.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
      if (reply.stop_reason !== "tool_use" || calls.length === 0) {
        return await completed(pending, turnId, reply.stop_reason ?? "end_turn", step);
      }

      const outcomes = await Promise.all(calls.map((call) => deps.tools.execute(toolContext, call)));
      for (const outcome of outcomes) pending.add("tool.result", { turnId, ...outcome });
      const results = outcomes.map(toToolResult);
      await deps.saveMessage({ role: "user", content: results, status: "complete" });
      messages.push({ role: "user", content: results });
      if (signal.aborted) return await cancelled(pending, turnId);
    }
    return await completed(pending, turnId, "step_limit", step);
  } catch (error) {
    await pending.flush().catch(() => {});
    const partial = [...streamed.values()].join("");
    if (signal.aborted) {
      if (partial) await saveAndAnnounce(deps, pending, turnId, textMessage(partial, "partial"));
      return await cancelled(pending, turnId);
    }
    if (partial) await saveAndAnnounce(deps, pending, turnId, textMessage(partial, "error"));
    const failure = describeFailure(error);
    // Names its message, so the message counts as answered even if `turn.started` could not be written.
    pending.add("turn.failed", { turnId, messageId, ...failure });
    await pending.flush();
    return { status: "failed", code: failure.code, message: failure.message };
  }
}

async function completed(pending: PendingEmits, turnId: string, stopReason: string, steps: number) {
  pending.add("turn.completed", { turnId, stopReason, steps });
  await pending.flush();
  return { status: "completed", stopReason, steps } satisfies TurnOutcome;
}

async function cancelled(pending: PendingEmits, turnId: string): Promise<TurnOutcome> {
  pending.add("turn.cancelled", { turnId });
  await pending.flush();
  return { status: "cancelled" };
}

async function saveAndAnnounce(
  deps: TurnDeps,
  pending: PendingEmits,
  turnId: string,
  message: StoredMessage,
) {
  const messageId = await deps.saveMessage(message);
  pending.add("message.assistant", { turnId, messageId, status: message.status });
}

const textMessage = (text: string, status: StoredMessage["status"]): StoredMessage => ({
  role: "assistant",
  content: [{ type: "text", text }],
  status,
});

/** The reply's blocks as they go back to the API next time (response-only fields such as citations dropped). */
function toParam(block: Anthropic.ContentBlock): ContentBlock {
  if (block.type === "text") return { type: "text", text: block.text };
  if (block.type === "tool_use")
    return { type: "tool_use", id: block.id, name: block.name, input: block.input };
  return block as ContentBlock;
}

const toToolResult = (outcome: ToolOutcome): Anthropic.ToolResultBlockParam => ({
  type: "tool_result",
  tool_use_id: outcome.toolUseId,
  content: outcome.content,
  is_error: outcome.isError,
});

const usageEvent = (turnId: string, step: number, reply: Anthropic.Message): AgentEventData["usage"] => ({
  turnId,
  step,
  model: reply.model,
  inputTokens: reply.usage.input_tokens,
  outputTokens: reply.usage.output_tokens,
  cacheReadTokens: reply.usage.cache_read_input_tokens ?? 0,
  cacheWriteTokens: reply.usage.cache_creation_input_tokens ?? 0,
});

/** What the user and the API consumer see of a failed turn: a stable code, a readable message, no internals. */
export function describeFailure(error: unknown): { code: string; message: string; retryable: boolean } {
  if (error instanceof Anthropic.APIError) {
    const status = error.status ?? 0;
    if (status === 429)
      return {
        code: "model_rate_limited",
        message: "The model is rate limited; try again in a moment",
        retryable: true,
      };
    if (status === 529)
      return {
        code: "model_overloaded",
        message: "The model is overloaded; try again shortly",
        retryable: true,
      };
    if (status === 401 || status === 403)
      return {
        code: "model_auth_failed",
        message: "The model provider refused our credentials",
        retryable: false,
      };
    if (status === 400)
      return { code: "model_bad_request", message: "The model refused the request", retryable: false };
    if (status >= 500 || status === 0)
      return {
        code: "model_unavailable",
        message: "The model is unavailable; try again shortly",
        retryable: true,
      };
    return { code: "model_error", message: `The model answered with an error (${status})`, retryable: false };
  }
  return {
    code: "turn_failed",
    message: "The turn failed unexpectedly; the thread is still usable",
    retryable: true,
  };
}
