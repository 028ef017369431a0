import { z } from "zod";

/**
 * The thread events, shared by the Worker and the SPA (pure TypeScript and zod, no DOM, no Cloudflare types).
 *
 * The Grow Agent writes each event to the thread's log (Postgres `events`, gapless `seq`) and broadcasts it to the
 * user's connections as `event`; REST pages and SSE send the same envelope (worker/src/threads/serialize.ts,
 * `eventJson`). Clients render from these alone. The Worker's `AgentEventData` (worker/src/agent/agent-events.ts)
 * is inferred from the schemas below, so what is emitted and what the SPA parses cannot drift apart.
 *
 * Classic `zod`, as the Worker's routes use it; the SPA's live chunk has it already (RivetKit's client imports it).
 */

/** One event as sent everywhere: `{ threadId, seq, type, data, at }` (`at`: ISO 8601 UTC). */
export const threadEventSchema = z.object({
  threadId: z.string(),
  seq: z.int(),
  type: z.string(),
  data: z.unknown(),
  at: z.string(),
});
export type ThreadEvent = z.infer<typeof threadEventSchema>;

/** The data of each event type. */
export const agentEventDataSchemas = {
  /** A user message was stored; `queued` when a turn of the thread was still running. */
  "message.user": z.object({ messageId: z.string(), text: z.string(), queued: z.boolean() }),
  "turn.started": z.object({ turnId: z.string(), messageId: z.string(), model: z.string() }),
  /** Streamed assistant text; `step` counts model calls within the turn, `index` the content block. */
  "text.delta": z.object({ turnId: z.string(), step: z.number(), index: z.number(), text: z.string() }),
  /** A complete tool call, its input assembled from the streamed JSON. */
  "tool.call": z.object({
    turnId: z.string(),
    step: z.number(),
    toolUseId: z.string(),
    name: z.string(),
    input: z.unknown(),
  }),
  "tool.result": z.object({
    turnId: z.string(),
    toolUseId: z.string(),
    name: z.string(),
    isError: z.boolean(),
    content: z.string(),
  }),
  usage: z.object({
    turnId: z.string(),
    step: z.number(),
    model: z.string(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    cacheReadTokens: z.number(),
    cacheWriteTokens: z.number(),
  }),
  /** An assistant message (one per model call) was stored. */
  "message.assistant": z.object({
    turnId: z.string(),
    messageId: z.string(),
    status: z.enum(["complete", "partial", "error"]),
  }),
  "turn.completed": z.object({ turnId: z.string(), stopReason: z.string(), steps: z.number() }),
  "turn.cancelled": z.object({ turnId: z.string() }),
  /** The message the turn answered (the message counts as answered; absent on events written before 2026-12-06). */
  "turn.failed": z.object({
    turnId: z.string(),
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
    messageId: z.string().optional(),
  }),
  /**
   * The user regenerated the reply: turn `turnId` is replaced by `byTurnId`, which answers the same user message
   * `messageId` (right after its `turn.started`). Clients hide the replaced turn; the model never sees it again.
   */
  "turn.superseded": z.object({ turnId: z.string(), byTurnId: z.string(), messageId: z.string() }),
  /** The Worker restarted while the turn ran; what had streamed is kept as a partial message. */
  "turn.interrupted": z.object({ turnId: z.string() }),
  /**
   * The Grow Agent explains why it did not start work (e.g. `allowance_exceeded`: the plan's tokens are used up);
   * `upgradePath` is where the SPA lets the user fix it.
   */
  "agent.notice": z.object({ code: z.string(), message: z.string(), upgradePath: z.string().optional() }),
  /**
   * A memory write made in this thread (commit_memory) was set aside for good: git or Gitea refused it
   * (`rejected`, `invalid_path`) or it kept failing (`retries_exhausted`). Later writes are not held back; the
   * write stays listed in `GET /api/memory/writes` with its reason.
   */
  "memory.write_failed": z.object({
    writeId: z.string(),
    path: z.string(),
    reason: z.enum(["rejected", "invalid_path", "retries_exhausted"]),
    error: z.string(),
  }),
  /**
   * A schedule's slot came (worker/src/schedules/): `started` before its prompt is sent as a user message in this
   * thread, `failed` when it was refused (`code`: the plan's error, e.g. `allowance_exceeded`), `skipped` when the
   * slot was missed while the Worker was down and the schedule skips missed slots.
   */
  "schedule.run": z.object({
    scheduleId: z.string(),
    runId: z.string(),
    slotAt: z.string(),
    status: z.enum(["started", "failed", "skipped"]),
    code: z.string().optional(),
    message: z.string().optional(),
  }),
  /** spawn_sub_agent started a sub-agent; everything it does follows as `subagent.*` with its id. */
  "subagent.spawned": z.object({ subAgentId: z.string(), task: z.string(), turnId: z.string() }),
  /** waking (the sandbox), running (the OpenCode session is open). */
  "subagent.status": z.object({
    subAgentId: z.string(),
    status: z.string(),
    opencodeSessionId: z.string().optional(),
  }),
  "subagent.text": z.object({ subAgentId: z.string(), delta: z.string() }),
  "subagent.tool": z.object({
    subAgentId: z.string(),
    callId: z.string(),
    tool: z.string(),
    status: z.enum(["running", "completed", "error"]),
    input: z.unknown().optional(),
    output: z.string().optional(),
  }),
  "subagent.file": z.object({ subAgentId: z.string(), path: z.string() }),
  "subagent.finished": z.object({
    subAgentId: z.string(),
    status: z.enum(["completed", "failed", "cancelled"]),
    error: z.string().optional(),
    costUsd: z.number(),
  }),
} as const;

type Schemas = typeof agentEventDataSchemas;

/** The data of each event type, as emitted (the Worker's `AgentEventData`). */
export type AgentEventData = { [K in keyof Schemas]: z.infer<Schemas[K]> };
export type AgentEventType = keyof AgentEventData;

/** An envelope whose data matched its type's schema: `switch (event.type)` narrows `event.data`. */
export type AgentEvent = {
  [K in AgentEventType]: Omit<ThreadEvent, "type" | "data"> & { type: K; data: AgentEventData[K] };
}[AgentEventType];

export const isAgentEventType = (type: string): type is AgentEventType =>
  Object.hasOwn(agentEventDataSchemas, type);

export type ParsedAgentEvent = { success: true; event: AgentEvent } | { success: false; error: z.ZodError };

/**
 * Checks an event's data against the schema of its type. `undefined` for a type this contract does not name (a
 * newer server's: a client shows it raw or skips it); a failure when the data does not match.
 */
export function parseAgentEvent(event: ThreadEvent): ParsedAgentEvent | undefined {
  if (!isAgentEventType(event.type)) return undefined;
  const schema: z.ZodType = agentEventDataSchemas[event.type];
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) return { success: false, error: parsed.error };
  return { success: true, event: { ...event, data: parsed.data } as AgentEvent };
}
