import { type AgentEventData, type AgentEventType, parseAgentEvent } from "../../../contract/events";
import type { EventJson } from "../threads/serialize";

/**
 * What an anonymous holder of a share link sees of each event: the conversation (messages, streamed replies, which
 * tools ran and how turns ended) and nothing of the owner's account. An allowlist: a type not named here, or one
 * added later, is not shown until someone decides it may be.
 *
 * Tool inputs and results go (they carry memory paths and contents, the owner's other threads from list_threads,
 * the stack's state); so do usage and costs, notices about the owner's plan, memory write failures, OpenCode
 * session ids, sandbox file paths and sub-agent tool payloads. Error texts go too: they are written for the owner.
 */
type Scrubbers = { [K in AgentEventType]?: (data: AgentEventData[K]) => AgentEventData[K] };

const SCRUB: Scrubbers = {
  "message.user": ({ messageId, text, queued }) => ({ messageId, text, queued }),
  "turn.started": ({ turnId, messageId, model }) => ({ turnId, messageId, model }),
  "text.delta": ({ turnId, step, index, text }) => ({ turnId, step, index, text }),
  "tool.call": ({ turnId, step, toolUseId, name }) => ({ turnId, step, toolUseId, name, input: {} }),
  "tool.result": ({ turnId, toolUseId, name, isError }) => ({
    turnId,
    toolUseId,
    name,
    isError,
    content: "",
  }),
  "message.assistant": ({ turnId, messageId, status }) => ({ turnId, messageId, status }),
  "turn.completed": ({ turnId, stopReason, steps }) => ({ turnId, stopReason, steps }),
  "turn.cancelled": ({ turnId }) => ({ turnId }),
  "turn.interrupted": ({ turnId }) => ({ turnId }),
  // So a shared thread shows the regenerated reply in place of the one it replaced, as the owner sees it.
  "turn.superseded": ({ turnId, byTurnId, messageId }) => ({ turnId, byTurnId, messageId }),
  "turn.failed": ({ turnId, code, retryable }) => ({ turnId, code, message: "", retryable }),
  "subagent.spawned": ({ subAgentId, task, turnId }) => ({ subAgentId, task, turnId }),
  "subagent.status": ({ subAgentId, status }) => ({ subAgentId, status }),
  "subagent.text": ({ subAgentId, delta }) => ({ subAgentId, delta }),
  "subagent.tool": ({ subAgentId, callId, tool, status }) => ({ subAgentId, callId, tool, status }),
  "subagent.finished": ({ subAgentId, status }) => ({ subAgentId, status, costUsd: 0 }),
};

/**
 * The event as a share link shows it, or undefined when it is not shown at all. Data that does not match its
 * type's schema is not shown either; the scrubbers build new objects from named fields, so nothing else passes.
 */
export function sharedEvent(event: EventJson): EventJson | undefined {
  const parsed = parseAgentEvent(event);
  if (!parsed?.success) return undefined;
  const scrub = SCRUB[parsed.event.type] as ((data: unknown) => unknown) | undefined;
  if (!scrub) return undefined;
  return {
    seq: event.seq,
    threadId: event.threadId,
    type: event.type,
    at: event.at,
    data: scrub(parsed.event.data),
  };
}
