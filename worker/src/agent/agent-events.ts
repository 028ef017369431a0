/**
 * Events the Grow Agent writes to a thread's log (Postgres `events`, gapless `seq`) and broadcasts to the
 * user's connections as `event` (`{ threadId, seq, type, data, at }`). Clients render from these alone.
 */
export interface AgentEventData {
  /** A user message was stored; `queued` when a turn of the thread was still running. */
  "message.user": { messageId: string; text: string; queued: boolean };
  "turn.started": { turnId: string; messageId: string; model: string };
  /** Streamed assistant text; `step` counts model calls within the turn, `index` the content block. */
  "text.delta": { turnId: string; step: number; index: number; text: string };
  /** A complete tool call, its input assembled from the streamed JSON. */
  "tool.call": { turnId: string; step: number; toolUseId: string; name: string; input: unknown };
  "tool.result": { turnId: string; toolUseId: string; name: string; isError: boolean; content: string };
  usage: {
    turnId: string;
    step: number;
    model: string;
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
  };
  /** An assistant message (one per model call) was stored. */
  "message.assistant": { turnId: string; messageId: string; status: "complete" | "partial" | "error" };
  "turn.completed": { turnId: string; stopReason: string; steps: number };
  "turn.cancelled": { turnId: string };
  /** `messageId` when the turn failed before it started (the message then counts as answered). */
  "turn.failed": { turnId: string; code: string; message: string; retryable: boolean; messageId?: string };
  /** The Worker restarted while the turn ran; what had streamed is kept as a partial message. */
  "turn.interrupted": { turnId: string };
  /**
   * The Grow Agent explains why it did not start work (e.g. `allowance_exceeded`: the plan's tokens are used up);
   * `upgradePath` is where the SPA lets the user fix it.
   */
  "agent.notice": { code: string; message: string; upgradePath?: string };
  /**
   * A memory write made in this thread (commit_memory) was set aside for good: git or Gitea refused it
   * (`rejected`, `invalid_path`) or it kept failing (`retries_exhausted`). Later writes are not held back; the
   * write stays listed in `GET /api/memory/writes` with its reason.
   */
  "memory.write_failed": {
    writeId: string;
    path: string;
    reason: "rejected" | "invalid_path" | "retries_exhausted";
    error: string;
  };
  /** spawn_sub_agent started a sub-agent; everything it does follows as `subagent.*` with its id. */
  "subagent.spawned": { subAgentId: string; task: string; turnId: string };
  /** waking (the sandbox), running (the OpenCode session is open). */
  "subagent.status": { subAgentId: string; status: string; opencodeSessionId?: string };
  "subagent.text": { subAgentId: string; delta: string };
  "subagent.tool": {
    subAgentId: string;
    callId: string;
    tool: string;
    status: "running" | "completed" | "error";
    input?: unknown;
    output?: string;
  };
  "subagent.file": { subAgentId: string; path: string };
  "subagent.finished": {
    subAgentId: string;
    status: "completed" | "failed" | "cancelled";
    error?: string;
    costUsd: number;
  };
}

export type AgentEventType = keyof AgentEventData;

export type EmitEvent = <T extends AgentEventType>(type: T, data: AgentEventData[T]) => Promise<void>;
