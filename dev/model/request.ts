import { type ZodError, z } from "zod";

/**
 * The subset of the Messages API request body the dev model understands, validated as strictly as the real
 * API where the Grow Agent could get it wrong (unknown top-level fields, empty content, unpaired tool ids),
 * and loosely inside blocks, because SDK response blocks (with extra fields) are sent back as history.
 */
const cacheControl = z
  .strictObject({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() })
  .nullish();

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string(), cache_control: cacheControl });
const imageBlock = z.looseObject({
  type: z.literal("image"),
  source: z.unknown(),
  cache_control: cacheControl,
});
const documentBlock = z.looseObject({
  type: z.literal("document"),
  source: z.unknown(),
  cache_control: cacheControl,
});
const thinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string() });
const redactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });
const toolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock]))])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const contentBlock = z.discriminatedUnion("type", [
  textBlock,
  imageBlock,
  documentBlock,
  thinkingBlock,
  redactedThinkingBlock,
  toolUseBlock,
  toolResultBlock,
]);

const message = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const tool = z.looseObject({
  type: z.literal("custom").nullish(),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, "must match ^[a-zA-Z0-9_-]{1,128}$"),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object") }),
  cache_control: cacheControl,
});

const toolChoice = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({
    type: z.literal("tool"),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal("none") }),
]);

const messagesRequest = z.strictObject({
  model: z.string().min(1),
  max_tokens: z.int().min(1),
  messages: z.array(message).min(1, "at least one message is required"),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().optional(),
  top_k: z.int().optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.strictObject({ user_id: z.string().nullish() }).optional(),
  // Accepted and ignored: real parameters the dev model has no use for.
  cache_control: cacheControl,
  thinking: z.unknown().optional(),
  service_tier: z.unknown().optional(),
  container: z.unknown().optional(),
  inference_geo: z.unknown().optional(),
  output_config: z.unknown().optional(),
  speed: z.unknown().optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequest>;
export type RequestMessage = MessagesRequest["messages"][number];
export type RequestBlock = Exclude<RequestMessage["content"], string>[number];
export type CacheControl = NonNullable<z.infer<typeof cacheControl>>;

export type ParseResult = { ok: true; request: MessagesRequest } | { ok: false; message: string };

/** Validates a parsed JSON body; the failure message reads like the real API's (`path: problem`). */
export function parseMessagesRequest(body: unknown): ParseResult {
  const parsed = messagesRequest.safeParse(body);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  const problem = conversationProblem(parsed.data);
  return problem ? { ok: false, message: problem } : { ok: true, request: parsed.data };
}

function describeIssues(error: ZodError): string {
  return flatten(error.issues, [])
    .slice(0, 5)
    .map(({ issue, path }) => {
      const at = path.join(".");
      const prefix = at ? `${at}: ` : "";
      if (issue.code === "unrecognized_keys")
        return issue.keys
          .map((key) => `${at ? `${at}.` : ""}${key}: Extra inputs are not permitted`)
          .join("; ");
      if (issue.code === "invalid_type" && issue.message.endsWith("received undefined"))
        return `${prefix}Field required`;
      return `${prefix}${issue.message}`;
    })
    .join("; ");
}

type Issue = ZodError["issues"][number];

/**
 * A failed union (content as string or blocks) reports "Invalid input"; the branch that got furthest says
 * what is actually wrong, e.g. `messages.0.content.0.type`.
 */
function flatten(issues: Issue[], base: PropertyKey[]): Array<{ issue: Issue; path: PropertyKey[] }> {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [{ issue, path }];
    const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
    const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    return flatten(best, path);
  });
}

/** Rules the real API enforces across messages, which a tool-use loop is most likely to break. */
function conversationProblem(request: MessagesRequest): string | undefined {
  const toolNames = new Set((request.tools ?? []).map((t) => t.name));
  if (toolNames.size !== (request.tools ?? []).length) return "tools: Tool names must be unique.";
  const blocksOf = (m: RequestMessage | undefined): RequestBlock[] =>
    !m || typeof m.content === "string" ? [] : m.content;

  for (const [index, m] of request.messages.entries()) {
    const isFinalAssistant = index === request.messages.length - 1 && m.role === "assistant";
    const empty = typeof m.content === "string" ? m.content.length === 0 : m.content.length === 0;
    if (empty && !isFinalAssistant)
      return `messages.${index}: all messages must have non-empty content except for the optional final assistant message`;
    for (const [b, block] of blocksOf(m).entries()) {
      if (block.type === "text" && block.text.length === 0)
        return `messages.${index}.content.${b}: text content blocks must be non-empty`;
      if ((block.type === "tool_use" || block.type === "tool_result") && toolNames.size === 0)
        return "Requests which include `tool_use` or `tool_result` blocks must define tools.";
      if (block.type === "tool_use" && m.role !== "assistant")
        return `messages.${index}.content.${b}: tool_use blocks may only appear in assistant messages`;
      if (block.type === "tool_result" && m.role !== "user")
        return `messages.${index}.content.${b}: tool_result blocks may only appear in user messages`;
    }

    const used = blocksOf(m).flatMap((block) => (block.type === "tool_use" ? [block.id] : []));
    if (used.length > 0 && !isFinalAssistant) {
      const next = blocksOf(request.messages[index + 1]);
      const answered = new Set(next.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : [])));
      const missing = used.filter((id) => !answered.has(id));
      if (missing.length > 0)
        return `messages.${index + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    const results = blocksOf(m).flatMap((b) => (b.type === "tool_result" ? [{ id: b.tool_use_id }] : []));
    if (results.length > 0) {
      const previous = blocksOf(request.messages[index - 1]);
      const asked = new Set(previous.flatMap((b) => (b.type === "tool_use" ? [b.id] : [])));
      const stray = results.filter((r) => !asked.has(r.id)).map((r) => r.id);
      if (stray.length > 0)
        return `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.join(", ")}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
  }
  return undefined;
}
