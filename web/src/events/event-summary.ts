import { type AgentEvent, parseAgentEvent, type ThreadEvent } from "../../../contract/events";

/** Checked once per event: the console reads every event again whenever one arrives. */
const checkedEvents = new WeakMap<ThreadEvent, AgentEvent | null>();

/** The event with its data checked (contract/events.ts); undefined for an unknown type or data that does not match. */
function checked(event: ThreadEvent): AgentEvent | undefined {
  let known = checkedEvents.get(event);
  if (known === undefined) {
    const parsed = parseAgentEvent(event);
    known = parsed?.success ? parsed.event : null;
    checkedEvents.set(event, known);
  }
  return known ?? undefined;
}

/** One line about an event for the console; empty when there is nothing short to say (its data is shown anyway). */
export function summary(raw: ThreadEvent): string {
  const event = checked(raw);
  switch (event?.type) {
    case "text.delta":
      return JSON.stringify(event.data.text);
    case "message.user":
      return `${event.data.queued ? "(queued) " : ""}${JSON.stringify(event.data.text)}`;
    case "tool.call":
      return `${event.data.name} ${JSON.stringify(event.data.input ?? {})}`;
    case "tool.result": {
      const { name, isError, content } = event.data;
      return `${name} ${isError ? "error" : "ok"}: ${content.slice(0, 160)}`;
    }
    case "usage":
      return `${event.data.inputTokens} in / ${event.data.outputTokens} out`;
    case "turn.failed":
      return `${event.data.code}: ${event.data.message}`;
    case "turn.completed":
      return `${event.data.stopReason}, ${event.data.steps} step(s)`;
    case "agent.notice":
      return `${event.data.code}: ${event.data.message}`;
    case "memory.write_failed":
      return `${event.data.path}: ${event.data.reason}`;
    case "subagent.spawned":
      return JSON.stringify(event.data.task);
    case "subagent.status":
      return event.data.status;
    case "subagent.text":
      return JSON.stringify(event.data.delta);
    case "subagent.tool":
      return `${event.data.tool} ${event.data.status}`;
    case "subagent.file":
      return event.data.path;
    case "subagent.finished":
      return `${event.data.status}${event.data.error ? `: ${event.data.error}` : ""}`;
    default:
      return "";
  }
}

/** The sub-agent an event is about (`subagent.*`), with the task when it is its `subagent.spawned`. */
export function subAgentOf(raw: ThreadEvent): { id: string; task: string } | undefined {
  if (!raw.type.startsWith("subagent.")) return undefined;
  const event = checked(raw);
  if (!event?.type.startsWith("subagent.") || !("subAgentId" in event.data)) return undefined;
  return { id: event.data.subAgentId, task: event.type === "subagent.spawned" ? event.data.task : "" };
}
