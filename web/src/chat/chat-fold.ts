import { type AgentEvent, parseAgentEvent, type ThreadEvent } from "../../../contract/events";
import {
  type ChatState,
  emptyChat,
  findTurn,
  findUser,
  startTurn,
  type ToolBlock,
  type TurnItem,
  type TurnStatus,
  turnOf,
} from "./chat-model";
import { applySubAgentEvent, isSubAgentEvent } from "./subagent-fold";

/**
 * Folding a thread's events, one at a time, into the chat's items (chat-model.ts). Pure: no DOM, no network. It
 * mutates its argument so a Solid store can run it under `produce` without rebuilding what did not change.
 *
 * Each event's data is checked against its schema in contract/events.ts (the one the Worker emits by). A type the
 * contract does not name is skipped (the console still shows it); data that does not match is skipped with a
 * warning rather than breaking the chat.
 */
export function applyEvent(chat: ChatState, event: ThreadEvent): void {
  const parsed = parseAgentEvent(event);
  if (parsed === undefined) return;
  if (!parsed.success) {
    console.warn(
      `Skipped event ${event.seq} (${event.type}) of thread ${event.threadId}: its data does not match the contract`,
      parsed.error.issues,
    );
    return;
  }
  applyAgentEvent(chat, parsed.event);
}

export function foldEvents(events: readonly ThreadEvent[], chat: ChatState = emptyChat()): ChatState {
  for (const event of events) applyEvent(chat, event);
  return chat;
}

/** An event of a replaced reply or of its sub-agents (turn.superseded came first): nothing of it is shown again. */
function ofSupersededTurn(chat: ChatState, event: AgentEvent): boolean {
  if (event.type === "turn.superseded" || chat.superseded.length === 0) return false;
  const { turnId, subAgentId } = event.data as { turnId?: unknown; subAgentId?: unknown };
  const id = typeof subAgentId === "string" ? subAgentId : turnId;
  return typeof id === "string" && chat.superseded.includes(id);
}

function end(chat: ChatState, turn: TurnItem, status: TurnStatus): void {
  turn.status = status;
  if (chat.runningTurnId === turn.id) chat.runningTurnId = null;
}

/** Folds one checked event into the chat (mutating it). */
export function applyAgentEvent(chat: ChatState, event: AgentEvent): void {
  if (ofSupersededTurn(chat, event)) return;
  if (isSubAgentEvent(event)) {
    applySubAgentEvent(chat, event);
    return;
  }
  switch (event.type) {
    case "message.user": {
      const { messageId, text, queued } = event.data;
      if (findUser(chat, messageId)) return;
      chat.items.push({ kind: "user", id: messageId, seq: event.seq, at: event.at, text, queued });
      return;
    }
    case "turn.started": {
      const { turnId, messageId, model } = event.data;
      const user = messageId ? findUser(chat, messageId) : undefined;
      if (user) user.queued = false;
      const turn = findTurn(chat, turnId);
      if (!turn) {
        startTurn(chat, event, turnId, messageId, model);
        return;
      }
      turn.messageId = messageId;
      turn.model = model;
      return;
    }
    case "text.delta": {
      const { turnId, step, index, text } = event.data;
      const turn = turnOf(chat, event, turnId);
      const key = `${step}:${index}`;
      const last = turn.blocks[turn.blocks.length - 1];
      if (last?.kind === "text" && last.key === key) last.text += text;
      else turn.blocks.push({ kind: "text", key, text });
      return;
    }
    case "tool.call": {
      const { turnId, toolUseId, name, input } = event.data;
      const turn = turnOf(chat, event, turnId);
      if (turn.blocks.some((b) => b.kind === "tool" && b.toolUseId === toolUseId)) return;
      turn.blocks.push({
        kind: "tool",
        key: `tool:${toolUseId}`,
        toolUseId,
        name: name || "tool",
        input: input ?? {},
        result: null,
      });
      return;
    }
    case "tool.result": {
      const { turnId, toolUseId, name, content, isError } = event.data;
      const turn = turnOf(chat, event, turnId);
      let block = turn.blocks.find((b): b is ToolBlock => b.kind === "tool" && b.toolUseId === toolUseId);
      if (!block) {
        block = {
          kind: "tool",
          key: `tool:${toolUseId}`,
          toolUseId,
          name: name || "tool",
          input: {},
          result: null,
        };
        turn.blocks.push(block);
      }
      block.result = { content, isError };
      return;
    }
    case "usage": {
      const { turnId, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, model } = event.data;
      const turn = turnOf(chat, event, turnId);
      turn.inputTokens += inputTokens + cacheReadTokens + cacheWriteTokens;
      turn.outputTokens += outputTokens;
      if (!turn.model) turn.model = model;
      return;
    }
    case "turn.completed": {
      const turn = turnOf(chat, event, event.data.turnId);
      turn.stopReason = event.data.stopReason || null;
      end(chat, turn, "completed");
      return;
    }
    case "turn.cancelled":
      end(chat, turnOf(chat, event, event.data.turnId), "cancelled");
      return;
    case "turn.interrupted":
      end(chat, turnOf(chat, event, event.data.turnId), "interrupted");
      return;
    case "turn.superseded": {
      // A regenerated reply: the old one goes, and the new turn (its turn.started just before) takes its place.
      const { turnId } = event.data;
      if (!chat.superseded.includes(turnId)) chat.superseded.push(turnId);
      const at = chat.items.findIndex((item) => item.kind === "turn" && item.id === turnId);
      const old = chat.items[at];
      // Its sub-agents too: one still reporting must not land in the new reply.
      if (old?.kind === "turn") {
        for (const block of old.blocks) if (block.kind === "subagent") chat.superseded.push(block.subAgentId);
      }
      if (at >= 0) chat.items.splice(at, 1);
      if (chat.runningTurnId === turnId) chat.runningTurnId = null;
      return;
    }
    case "turn.failed": {
      const { turnId, code, message, retryable } = event.data;
      const turn = turnOf(chat, event, turnId);
      turn.failure = { code: code || "failed", message, retryable };
      end(chat, turn, "failed");
      return;
    }
    case "agent.notice": {
      const id = `notice-${event.seq}`;
      if (chat.items.some((item) => item.kind === "notice" && item.id === id)) return;
      const { code, message, upgradePath } = event.data;
      chat.items.push({
        kind: "notice",
        id,
        seq: event.seq,
        at: event.at,
        code: code || "notice",
        message,
        upgradePath: upgradePath || null,
      });
      return;
    }
    case "schedule.run": {
      const id = `schedule-${event.seq}`;
      if (chat.items.some((item) => item.kind === "schedule" && item.id === id)) return;
      const { scheduleId, runId, slotAt, status, code, message } = event.data;
      chat.items.push({
        kind: "schedule",
        id,
        seq: event.seq,
        at: event.at,
        scheduleId,
        runId,
        slotAt,
        status,
        code: code || null,
        message: message || null,
      });
      return;
    }
    // Nothing to show in the chat (the console lists them): an assistant message stored, a memory write set aside.
    case "message.assistant":
    case "memory.write_failed":
      return;
  }
}
