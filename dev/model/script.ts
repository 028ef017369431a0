import { defaultErrorMessage, errorTypeFor } from "./api-error";
import { type Directives, readDirectives } from "./directives";
import { naturalToolCall, type ToolCall } from "./intents";
import type { MessagesRequest, RequestBlock, RequestMessage } from "./request";
import { tokensFor } from "./usage";

export type PlannedBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

export interface ReplyPlan {
  kind: "reply";
  content: PlannedBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  outputTokens: number;
  /** Pause between stream events (`[[slow:ms]]`); undefined: the server's default. */
  slowMs?: number;
  /** Break the stream with an `overloaded_error` after a few text deltas (`[[fail-midstream]]`). */
  failMidstream: boolean;
}

export interface ErrorPlan {
  kind: "error";
  status: number;
  errorType: string;
  message: string;
  retryAfterSeconds?: number;
  /** Counter to bump once this failure is served (`[[fail:… times=n]]`). */
  failureKey: string;
}

export type Plan = ReplyPlan | ErrorPlan;

/** What the script needs from outside, passed in so that planning stays a pure function. */
export interface ScriptContext {
  /** How many failures were served for this `[[fail:…]]` key so far. */
  failuresSoFar(key: string): number;
  newToolUseId(): string;
}

const SUMMARY_SNIPPET = 200;
/**
 * The `[[markdown]]` reply: what a real model writes and a chat must render (a heading, a list, a table, a fenced
 * TypeScript block). The echo cannot carry it: it collapses whitespace, and markdown needs its newlines.
 */
export const MARKDOWN_REPLY = [
  "## A sample reply",
  "",
  "Some **bold** text, a list and a table:",
  "",
  "- first point",
  "- second point",
  "",
  "| Language | Typed |",
  "| --- | --- |",
  "| TypeScript | yes |",
  "| JavaScript | no |",
  "",
  "```ts",
  "const answer: number = 42;",
  'console.log("The answer is", answer);',
  "```",
].join("\n");
const VOCABULARY = "grow agent keeps notes in git and asks claude to plan the next small step".split(" ");

/**
 * The dev model's whole behaviour: the conversation decides the reply (directive table in README.md). The
 * prompt is the last user message's text; a last user message holding tool results is the loop's follow-up
 * step and gets a summary, while transport directives (fail, slow) still come from the last user text.
 */
export function planReply(request: MessagesRequest, context: ScriptContext): Plan {
  const lastUser = request.messages.findLast((m) => m.role === "user");
  const results = blocksOf(lastUser).filter((b) => b.type === "tool_result");
  const followUp = results.length > 0;
  const source = followUp
    ? request.messages.findLast((m) => m.role === "user" && textOf(m) !== "")
    : lastUser;
  const directives = readDirectives(textOf(source));

  const fail = directives.fail;
  if (fail && (fail.times === undefined || context.failuresSoFar(fail.key) < fail.times)) {
    const errorType = errorTypeFor(fail.status);
    return {
      kind: "error",
      status: fail.status,
      errorType,
      message: defaultErrorMessage(errorType),
      ...((fail.retryAfterSeconds !== undefined || fail.status === 429) && {
        retryAfterSeconds: fail.retryAfterSeconds ?? 0,
      }),
      failureKey: fail.key,
    };
  }

  let content = followUp
    ? [text(summarise(request.messages, results))]
    : compose(request, directives, context, textOf(source));
  let stopReason: StopReason = content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
  let stopSequence: string | null = null;

  const stopped = cutAtStopSequence(content, request.stop_sequences ?? []);
  if (stopped) {
    content = stopped.content;
    stopReason = "stop_sequence";
    stopSequence = stopped.sequence;
  }
  const fitted = fitToBudget(content, request.max_tokens);
  if (fitted.truncated) {
    content = fitted.content;
    stopReason = "max_tokens";
  }
  return {
    kind: "reply",
    content,
    stopReason,
    stopSequence,
    outputTokens: tokensFor(outputChars(content)),
    ...(directives.slowMs !== undefined && { slowMs: directives.slowMs }),
    failMidstream: directives.failMidstream,
  };
}

function compose(
  request: MessagesRequest,
  directives: Directives,
  context: ScriptContext,
  prompt: string,
): PlannedBlock[] {
  if (directives.words !== undefined) return [text(wordsText(directives.words))];
  if (directives.markdown) return [text(MARKDOWN_REPLY)];

  const offered = new Set(
    request.tool_choice?.type === "none" ? [] : (request.tools ?? []).map((t) => t.name),
  );
  let calls: ToolCall[] = [];
  // A directive for a tool this request does not offer is meant for someone else (the task a Grow Agent
  // delegates to a sub-agent, whose OpenCode offers `write`): the prompt is then read as plain language, with
  // the directive kept in it, so "delegate: [[tool:write …]]" spawns a sub-agent that writes the file.
  const forUs = directives.tools.filter((call) => "invalid" in call || offered.has(call.name));
  if (forUs.length > 0) {
    for (const call of forUs) {
      if ("invalid" in call)
        return [
          text(`The tool directive for ${call.name} needs a JSON object as input, got: ${call.invalid}`),
        ];
      calls.push(call);
    }
  } else {
    const call = naturalToolCall(directives.tools.length > 0 ? prompt : directives.rest, offered);
    if (call) calls = [call];
    else if (directives.tools[0]) {
      return [text(`The tool ${directives.tools[0].name} is unavailable in this conversation.`)];
    }
  }
  if (calls.length === 0) return [text(`You said: ${directives.rest}`)];
  const choice = request.tool_choice;
  const oneAtATime =
    choice !== undefined && choice.type !== "none" && choice.disable_parallel_tool_use === true;
  return [
    text("Let me do that."),
    ...calls.slice(0, oneAtATime ? 1 : undefined).map(
      (call): PlannedBlock => ({
        type: "tool_use",
        id: context.newToolUseId(),
        name: call.name,
        input: call.input,
      }),
    ),
  ];
}

/** `Done. <tool> returned: <result>` per result, naming tools by the assistant turn that called them. */
function summarise(messages: RequestMessage[], results: RequestBlock[]): string {
  const names = new Map<string, string>();
  for (const block of messages.flatMap((m) => (m.role === "assistant" ? blocksOf(m) : [])))
    if (block.type === "tool_use") names.set(block.id, block.name);
  const lines = results.flatMap((result) => {
    if (result.type !== "tool_result") return [];
    const name = names.get(result.tool_use_id) ?? "the tool";
    const verb = result.is_error ? "failed" : "returned";
    return [`${name} ${verb}: ${resultText(result.content).slice(0, SUMMARY_SNIPPET)}`];
  });
  return `Done. ${lines.join("\n")}`;
}

function resultText(content: Extract<RequestBlock, { type: "tool_result" }>["content"]): string {
  if (content === undefined) return "(no content)";
  if (typeof content === "string") return content || "(empty)";
  return content.map((b) => (b.type === "text" ? b.text : `[${b.type}]`)).join("\n") || "(empty)";
}

function wordsText(n: number): string {
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(VOCABULARY[i % VOCABULARY.length] ?? "word");
  return `${words.join(" ")}.`;
}

function cutAtStopSequence(
  content: PlannedBlock[],
  sequences: string[],
): { content: PlannedBlock[]; sequence: string } | undefined {
  for (const [index, block] of content.entries()) {
    if (block.type !== "text") continue;
    let best: { at: number; sequence: string } | undefined;
    for (const sequence of sequences) {
      const at = sequence ? block.text.indexOf(sequence) : -1;
      if (at >= 0 && (!best || at < best.at)) best = { at, sequence };
    }
    if (best) {
      const kept = block.text.slice(0, best.at);
      return {
        content: [...content.slice(0, index), ...(kept ? [text(kept)] : [])],
        sequence: best.sequence,
      };
    }
  }
  return undefined;
}

/** Cuts the reply at `max_tokens` (four characters a token); a tool call that does not fit is dropped. */
function fitToBudget(
  content: PlannedBlock[],
  maxTokens: number,
): { content: PlannedBlock[]; truncated: boolean } {
  let left = maxTokens * 4;
  const kept: PlannedBlock[] = [];
  for (const block of content) {
    const size = blockChars(block);
    if (size <= left) {
      kept.push(block);
      left -= size;
      continue;
    }
    if (block.type === "text" && left > 0) kept.push(text(block.text.slice(0, left)));
    return { content: kept, truncated: true };
  }
  return { content: kept, truncated: false };
}

const blockChars = (block: PlannedBlock): number =>
  block.type === "text" ? block.text.length : block.name.length + JSON.stringify(block.input).length;

export const outputChars = (content: PlannedBlock[]): number =>
  content.reduce((sum, block) => sum + blockChars(block), 0);

const text = (value: string): PlannedBlock => ({ type: "text", text: value });

function blocksOf(message: RequestMessage | undefined): RequestBlock[] {
  return !message || typeof message.content === "string" ? [] : message.content;
}

function textOf(message: RequestMessage | undefined): string {
  if (!message) return "";
  if (typeof message.content === "string") return message.content;
  return message.content
    .flatMap((b) => (b.type === "text" ? [b.text] : []))
    .join("\n")
    .trim();
}
