/**
 * Pure logic of a thread's event stream, shared by the chat view and the event console (no DOM, no network):
 *
 * - merging: events arrive from two places, the live actor connection and `GET /api/threads/:id/events?after=`
 *   pages. `mergeEvents` applies them strictly in seq order, drops what was already applied (seq ≤ last seen) or is
 *   already waiting, and holds back events that arrive ahead of a gap until the gap is filled.
 * - folding: `applyEvent` turns events, one at a time, into the chat's items (user messages, assistant turns with
 *   their text and tool-call blocks, and how each turn ended). It mutates its argument so a Solid store can run it
 *   under `produce` without rebuilding what did not change.
 *
 * Event types and payloads: worker/src/agent/agent-events.ts.
 */

export interface ThreadEvent {
  threadId: string;
  seq: number;
  type: string;
  data?: unknown;
  at: string;
}

// ---------------------------------------------------------------------------------------------- merge / resume

export interface EventLog {
  /** Highest seq applied; every seq up to it has been applied exactly once. */
  lastSeq: number;
  /** Events seen ahead of a gap, by seq. */
  pending: Map<number, ThreadEvent>;
}

export const createEventLog = (lastSeq = 0): EventLog => ({ lastSeq, pending: new Map() });

/**
 * Adds events from any source, in any order, with repeats, and returns the ones that can now be applied, in seq
 * order with no gaps (`lastSeq + 1`, `lastSeq + 2`, …). `log` is updated.
 */
export function mergeEvents(log: EventLog, incoming: readonly ThreadEvent[]): ThreadEvent[] {
  for (const event of incoming) {
    if (!Number.isInteger(event.seq) || event.seq <= log.lastSeq || log.pending.has(event.seq)) continue;
    log.pending.set(event.seq, event);
  }
  const ready: ThreadEvent[] = [];
  for (;;) {
    const next = log.pending.get(log.lastSeq + 1);
    if (!next) break;
    log.pending.delete(next.seq);
    log.lastSeq = next.seq;
    ready.push(next);
  }
  return ready;
}

/** True when events were seen past a missing seq: the missing ones must be fetched (`after=lastSeq`). */
export const hasGap = (log: EventLog): boolean => log.pending.size > 0;

// ------------------------------------------------------------------------------------------------------ fold

export type TurnStatus = "running" | "completed" | "cancelled" | "failed" | "interrupted";

export interface UserItem {
  kind: "user";
  /** The message id. */
  id: string;
  seq: number;
  at: string;
  text: string;
  /** Sent while another turn of the thread ran; cleared when its own turn starts. */
  queued: boolean;
}

export interface TextBlock {
  kind: "text";
  /** `<step>:<index>`: one block per content block of each model call. */
  key: string;
  text: string;
}

export interface ToolBlock {
  kind: "tool";
  key: string;
  toolUseId: string;
  name: string;
  input: unknown;
  result: { content: string; isError: boolean } | null;
}

export type SubAgentStatus = "spawned" | "waking" | "running" | "completed" | "failed" | "cancelled";

export interface SubAgentTool {
  kind: "tool";
  callId: string;
  tool: string;
  status: "running" | "completed" | "error";
  input: unknown;
  output: string;
}

export interface SubAgentText {
  kind: "text";
  text: string;
}

/** What the sub-agent did, in order: text between tool calls is one step, each tool call another. */
export type SubAgentStep = SubAgentText | SubAgentTool;

/** A sub-agent the turn spawned (`subagent.*` events): its task, live status, steps (text, tools) and files. */
export interface SubAgentBlock {
  kind: "subagent";
  key: string;
  subAgentId: string;
  task: string;
  status: SubAgentStatus;
  steps: SubAgentStep[];
  files: string[];
  error: string | null;
  costUsd: number | null;
}

export type TurnBlock = TextBlock | ToolBlock | SubAgentBlock;

/** Ended sub-agent states. */
export const subAgentEnded = (status: SubAgentStatus): boolean =>
  status === "completed" || status === "failed" || status === "cancelled";

export interface TurnFailure {
  code: string;
  message: string;
  retryable: boolean;
}

export interface TurnItem {
  kind: "turn";
  /** The turn id. */
  id: string;
  seq: number;
  at: string;
  /** The user message this turn answers. */
  messageId: string;
  model: string;
  status: TurnStatus;
  blocks: TurnBlock[];
  failure: TurnFailure | null;
  stopReason: string | null;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Why the agent did not start work (`agent.notice`), e.g. `allowance_exceeded`; `upgradePath` is where the user
 * can fix it.
 */
export interface NoticeItem {
  kind: "notice";
  id: string;
  seq: number;
  at: string;
  code: string;
  message: string;
  upgradePath: string | null;
}

export type ChatItem = UserItem | TurnItem | NoticeItem;

export interface ChatState {
  items: ChatItem[];
  /** The turn still running, if any (at most one per thread). */
  runningTurnId: string | null;
}

export const emptyChat = (): ChatState => ({ items: [], runningTurnId: null });

type Data = Record<string, unknown>;
const str = (value: unknown, fallback = ""): string => (typeof value === "string" ? value : fallback);
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

function findTurn(chat: ChatState, turnId: string): TurnItem | undefined {
  for (let i = chat.items.length - 1; i >= 0; i--) {
    const item = chat.items[i];
    if (item?.kind === "turn" && item.id === turnId) return item;
  }
  return undefined;
}

function findUser(chat: ChatState, messageId: string): UserItem | undefined {
  for (let i = chat.items.length - 1; i >= 0; i--) {
    const item = chat.items[i];
    if (item?.kind === "user" && item.id === messageId) return item;
  }
  return undefined;
}

/** The turn an event belongs to; one is made up if the log somehow lacks its `turn.started`. */
function turnOf(chat: ChatState, event: ThreadEvent, data: Data): TurnItem {
  const turnId = str(data.turnId, `unknown-${event.seq}`);
  const existing = findTurn(chat, turnId);
  if (existing) return existing;
  const turn: TurnItem = {
    kind: "turn",
    id: turnId,
    seq: event.seq,
    at: event.at,
    messageId: "",
    model: "",
    status: "running",
    blocks: [],
    failure: null,
    stopReason: null,
    inputTokens: 0,
    outputTokens: 0,
  };
  chat.items.push(turn);
  chat.runningTurnId = turnId;
  return turn;
}

function lastTurn(chat: ChatState): TurnItem | undefined {
  for (let i = chat.items.length - 1; i >= 0; i--) {
    const item = chat.items[i];
    if (item?.kind === "turn") return item;
  }
  return undefined;
}

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
function subAgentOf(chat: ChatState, event: ThreadEvent, data: Data): SubAgentBlock | undefined {
  const subAgentId = str(data.subAgentId);
  if (!subAgentId) return undefined;
  const existing = findSubAgent(chat, subAgentId);
  if (existing) return existing;
  const turn =
    (typeof data.turnId === "string" ? turnOf(chat, event, data) : undefined) ??
    (chat.runningTurnId ? findTurn(chat, chat.runningTurnId) : undefined) ??
    lastTurn(chat);
  if (!turn) return undefined;
  const block = newSubAgent(subAgentId, str(data.task));
  turn.blocks.push(block);
  return block;
}

const SUBAGENT_STATUSES = new Set<string>(["waking", "running", "completed", "failed", "cancelled"]);

function end(chat: ChatState, turn: TurnItem, status: TurnStatus): void {
  turn.status = status;
  if (chat.runningTurnId === turn.id) chat.runningTurnId = null;
}

/** Folds one event into the chat (mutating it). Unknown event types are ignored: the console still shows them. */
export function applyEvent(chat: ChatState, event: ThreadEvent): void {
  const data = (event.data && typeof event.data === "object" ? event.data : {}) as Data;
  switch (event.type) {
    case "message.user": {
      const id = str(data.messageId, `message-${event.seq}`);
      if (findUser(chat, id)) return;
      chat.items.push({
        kind: "user",
        id,
        seq: event.seq,
        at: event.at,
        text: str(data.text),
        queued: data.queued === true,
      });
      return;
    }
    case "turn.started": {
      const turnId = str(data.turnId, `turn-${event.seq}`);
      const messageId = str(data.messageId);
      const user = messageId ? findUser(chat, messageId) : undefined;
      if (user) user.queued = false;
      const turn = findTurn(chat, turnId);
      if (turn) {
        turn.messageId = messageId;
        turn.model = str(data.model);
        return;
      }
      chat.items.push({
        kind: "turn",
        id: turnId,
        seq: event.seq,
        at: event.at,
        messageId,
        model: str(data.model),
        status: "running",
        blocks: [],
        failure: null,
        stopReason: null,
        inputTokens: 0,
        outputTokens: 0,
      });
      chat.runningTurnId = turnId;
      return;
    }
    case "text.delta": {
      const turn = turnOf(chat, event, data);
      const key = `${num(data.step)}:${num(data.index)}`;
      const last = turn.blocks[turn.blocks.length - 1];
      if (last?.kind === "text" && last.key === key) last.text += str(data.text);
      else turn.blocks.push({ kind: "text", key, text: str(data.text) });
      return;
    }
    case "tool.call": {
      const turn = turnOf(chat, event, data);
      const toolUseId = str(data.toolUseId, `tool-${event.seq}`);
      if (turn.blocks.some((b) => b.kind === "tool" && b.toolUseId === toolUseId)) return;
      turn.blocks.push({
        kind: "tool",
        key: `tool:${toolUseId}`,
        toolUseId,
        name: str(data.name, "tool"),
        input: data.input ?? {},
        result: null,
      });
      return;
    }
    case "tool.result": {
      const turn = turnOf(chat, event, data);
      const toolUseId = str(data.toolUseId);
      let block = turn.blocks.find((b): b is ToolBlock => b.kind === "tool" && b.toolUseId === toolUseId);
      if (!block) {
        block = {
          kind: "tool",
          key: `tool:${toolUseId}`,
          toolUseId,
          name: str(data.name, "tool"),
          input: {},
          result: null,
        };
        turn.blocks.push(block);
      }
      block.result = { content: str(data.content), isError: data.isError === true };
      return;
    }
    case "usage": {
      const turn = turnOf(chat, event, data);
      turn.inputTokens += num(data.inputTokens) + num(data.cacheReadTokens) + num(data.cacheWriteTokens);
      turn.outputTokens += num(data.outputTokens);
      if (!turn.model) turn.model = str(data.model);
      return;
    }
    case "turn.completed": {
      const turn = turnOf(chat, event, data);
      turn.stopReason = str(data.stopReason) || null;
      end(chat, turn, "completed");
      return;
    }
    case "turn.cancelled":
      end(chat, turnOf(chat, event, data), "cancelled");
      return;
    case "turn.interrupted":
      end(chat, turnOf(chat, event, data), "interrupted");
      return;
    case "turn.failed": {
      const turn = turnOf(chat, event, data);
      turn.failure = {
        code: str(data.code, "failed"),
        message: str(data.message),
        retryable: data.retryable === true,
      };
      end(chat, turn, "failed");
      return;
    }
    case "agent.notice": {
      const id = `notice-${event.seq}`;
      if (chat.items.some((item) => item.kind === "notice" && item.id === id)) return;
      chat.items.push({
        kind: "notice",
        id,
        seq: event.seq,
        at: event.at,
        code: str(data.code, "notice"),
        message: str(data.message),
        upgradePath: str(data.upgradePath) || null,
      });
      return;
    }
    case "subagent.spawned": {
      const block = subAgentOf(chat, event, data);
      if (block && !block.task) block.task = str(data.task);
      return;
    }
    case "subagent.status": {
      const block = subAgentOf(chat, event, data);
      const status = str(data.status);
      // A late status never revives an ended sub-agent.
      if (block && SUBAGENT_STATUSES.has(status) && !subAgentEnded(block.status))
        block.status = status as SubAgentStatus;
      return;
    }
    case "subagent.text": {
      const block = subAgentOf(chat, event, data);
      const delta = str(data.delta);
      if (!block || !delta) return;
      const last = block.steps[block.steps.length - 1];
      if (last?.kind === "text") last.text += delta;
      else block.steps.push({ kind: "text", text: delta });
      return;
    }
    case "subagent.tool": {
      const block = subAgentOf(chat, event, data);
      if (!block) return;
      const callId = str(data.callId, `call-${event.seq}`);
      const status = data.status === "completed" || data.status === "error" ? data.status : "running";
      const tool = block.steps.find((t): t is SubAgentTool => t.kind === "tool" && t.callId === callId);
      if (tool) {
        tool.status = status;
        if (data.input !== undefined) tool.input = data.input;
        if (typeof data.output === "string") tool.output = data.output;
      } else {
        block.steps.push({
          kind: "tool",
          callId,
          tool: str(data.tool, "tool"),
          status,
          input: data.input ?? null,
          output: str(data.output),
        });
      }
      return;
    }
    case "subagent.file": {
      const block = subAgentOf(chat, event, data);
      const path = str(data.path);
      if (block && path && !block.files.includes(path)) block.files.push(path);
      return;
    }
    case "subagent.finished": {
      const block = subAgentOf(chat, event, data);
      if (!block) return;
      const status = str(data.status);
      block.status = status === "failed" || status === "cancelled" ? status : "completed";
      block.error = str(data.error) || null;
      block.costUsd = typeof data.costUsd === "number" ? data.costUsd : null;
      return;
    }
    default:
      return;
  }
}

export function foldEvents(events: readonly ThreadEvent[], chat: ChatState = emptyChat()): ChatState {
  for (const event of events) applyEvent(chat, event);
  return chat;
}

// ------------------------------------------------------------------------------------------------- wording

const FAILURES: Record<string, string> = {
  model_rate_limited: "The model is receiving too many requests right now; try again in a moment.",
  model_overloaded: "The model is overloaded right now; try again in a moment.",
  model_unavailable: "The model could not be reached; try again in a moment.",
  model_auth_failed: "The model provider refused the server's credentials.",
  model_bad_request: "The model refused the request.",
};

/**
 * A sentence for a failed turn: the server's message (written for people) when it reads as one, else a sentence
 * for its code; never a raw payload.
 */
export function describeFailure(failure: TurnFailure): string {
  const message = failure.message.trim();
  const readable = message.length > 0 && message.length <= 300 && !/^[[{<]/.test(message);
  const sentence = readable
    ? message
    : (FAILURES[failure.code] ?? `The reply failed (${failure.code.replaceAll("_", " ")})`);
  const withStop = /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
  return failure.retryable && !/try again/i.test(withStop) ? `${withStop} You can try again.` : withStop;
}

/** Why a turn ended, for the chat's status line; null for a normal end. */
export function describeEnd(turn: TurnItem): string | null {
  switch (turn.status) {
    case "cancelled":
      return "Cancelled: the reply was stopped.";
    case "interrupted":
      return "Interrupted: the server restarted while replying. What had arrived is kept.";
    case "failed":
      return turn.failure ? describeFailure(turn.failure) : "The reply failed.";
    case "completed":
      if (turn.stopReason === "max_tokens") return "The reply hit the length limit.";
      if (turn.stopReason === "step_limit") return "Stopped after the maximum number of steps.";
      return null;
    default:
      return null;
  }
}
