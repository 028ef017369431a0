import type { AgentEvent } from "../../../contract/events";
import {
  type ChatState,
  findTurn,
  lastTurn,
  type SubAgentBlock,
  type SubAgentStatus,
  type SubAgentTool,
  subAgentEnded,
  turnOf,
} from "./chat-model";

/** The `subagent.*` events. */
export type SubAgentEvent = Extract<AgentEvent, { type: `subagent.${string}` }>;

export const isSubAgentEvent = (event: AgentEvent): event is SubAgentEvent =>
  event.type.startsWith("subagent.");

function findSubAgent(chat: ChatState, subAgentId: string): SubAgentBlock | undefined {
  for (let i = chat.items.length - 1; i >= 0; i--) {
    const item = chat.items[i];
    if (item?.kind !== "turn") continue;
    for (const block of item.blocks) {
      if (block.kind === "subagent" && block.subAgentId === subAgentId) return block;
    }
  }
  return undefined;
}

const newSubAgent = (subAgentId: string, task: string): SubAgentBlock => ({
  kind: "subagent",
  key: `subagent:${subAgentId}`,
  subAgentId,
  task,
  status: "spawned",
  steps: [],
  files: [],
  error: null,
  costUsd: null,
});

/**
 * The sub-agent an event is about. Its `subagent.spawned` names the turn; should that be missing, the sub-agent is
 * put in the running turn (or the last one), so nothing it did is lost.
 */
function subAgentOf(chat: ChatState, event: SubAgentEvent): SubAgentBlock | undefined {
  const { subAgentId } = event.data;
  if (!subAgentId) return undefined;
  const existing = findSubAgent(chat, subAgentId);
  if (existing) return existing;
  const spawned = event.type === "subagent.spawned" ? event.data : undefined;
  const turn =
    (spawned ? turnOf(chat, event, spawned.turnId) : undefined) ??
    (chat.runningTurnId ? findTurn(chat, chat.runningTurnId) : undefined) ??
    lastTurn(chat);
  if (!turn) return undefined;
  const block = newSubAgent(subAgentId, spawned?.task ?? "");
  turn.blocks.push(block);
  return block;
}

const SUBAGENT_STATUSES = new Set<string>(["waking", "running", "completed", "failed", "cancelled"]);

/** Folds one `subagent.*` event into the card of its sub-agent (mutating the chat). */
export function applySubAgentEvent(chat: ChatState, event: SubAgentEvent): void {
  const block = subAgentOf(chat, event);
  if (!block) return;
  switch (event.type) {
    case "subagent.spawned":
      if (!block.task) block.task = event.data.task;
      return;
    case "subagent.status": {
      const { status } = event.data;
      // A late status never revives an ended sub-agent.
      if (SUBAGENT_STATUSES.has(status) && !subAgentEnded(block.status))
        block.status = status as SubAgentStatus;
      return;
    }
    case "subagent.text": {
      const { delta } = event.data;
      if (!delta) return;
      const last = block.steps[block.steps.length - 1];
      if (last?.kind === "text") last.text += delta;
      else block.steps.push({ kind: "text", text: delta });
      return;
    }
    case "subagent.tool": {
      const { callId, status, input, output } = event.data;
      const tool = block.steps.find((t): t is SubAgentTool => t.kind === "tool" && t.callId === callId);
      if (tool) {
        tool.status = status;
        if (input !== undefined) tool.input = input;
        if (output !== undefined) tool.output = output;
      } else {
        block.steps.push({
          kind: "tool",
          callId,
          tool: event.data.tool || "tool",
          status,
          input: input ?? null,
          output: output ?? "",
        });
      }
      return;
    }
    case "subagent.file": {
      const { path } = event.data;
      if (path && !block.files.includes(path)) block.files.push(path);
      return;
    }
    case "subagent.finished":
      block.status = event.data.status;
      block.error = event.data.error || null;
      block.costUsd = event.data.costUsd;
      return;
  }
}
