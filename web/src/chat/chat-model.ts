/**
 * What the chat shows, folded from a thread's events (chat-fold.ts): user messages, assistant turns with their
 * text, tool-call and sub-agent blocks and how each turn ended, the agent's notices and the schedules' runs.
 */

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

/**
 * A schedule's slot in this thread (`schedule.run`): `started` comes just before the scheduled prompt's user
 * message, `failed` when it was refused (`code`, `message`), `skipped` when the slot was missed while the service
 * was down.
 */
export interface ScheduleRunItem {
  kind: "schedule";
  id: string;
  seq: number;
  at: string;
  scheduleId: string;
  runId: string;
  slotAt: string;
  status: "started" | "failed" | "skipped";
  code: string | null;
  message: string | null;
}

export type ChatItem = UserItem | TurnItem | NoticeItem | ScheduleRunItem;

export interface ChatState {
  items: ChatItem[];
  /** The turn still running, if any (at most one per thread). */
  runningTurnId: string | null;
  /**
   * Replies replaced by a regenerated turn (`turn.superseded`) and their sub-agents' ids: not shown, and late
   * events of theirs skipped.
   */
  superseded: string[];
}

export const emptyChat = (): ChatState => ({ items: [], runningTurnId: null, superseded: [] });

// ------------------------------------------------------------------------------------------- finding items

/** The newest item of `kind` that passes `test`. */
function findLast<K extends ChatItem["kind"]>(
  chat: ChatState,
  kind: K,
  test: (item: Extract<ChatItem, { kind: K }>) => boolean = () => true,
): Extract<ChatItem, { kind: K }> | undefined {
  for (let i = chat.items.length - 1; i >= 0; i--) {
    const item = chat.items[i];
    if (item?.kind === kind && test(item as Extract<ChatItem, { kind: K }>))
      return item as Extract<ChatItem, { kind: K }>;
  }
  return undefined;
}

export const findTurn = (chat: ChatState, turnId: string): TurnItem | undefined =>
  findLast(chat, "turn", (turn) => turn.id === turnId);

export const findUser = (chat: ChatState, messageId: string): UserItem | undefined =>
  findLast(chat, "user", (user) => user.id === messageId);

export const lastTurn = (chat: ChatState): TurnItem | undefined => findLast(chat, "turn");

export const lastUser = (chat: ChatState): UserItem | undefined => findLast(chat, "user");

/** Adds a running turn. */
/**
 * The reply a Regenerate button may replace: the thread's last item, a turn that started (only `turn.started`
 * carries the model; the server refuses a turn that failed before it started), while no turn runs, and not the one
 * just replaced (`replaced`, until the new turn's events arrive).
 */
export function regenerableTurn(chat: ChatState, replaced?: string): string | undefined {
  const last = chat.items[chat.items.length - 1];
  if (chat.runningTurnId !== null || last?.kind !== "turn" || last.id === replaced) return undefined;
  return last.model === "" ? undefined : last.id;
}

export function startTurn(
  chat: ChatState,
  at: { seq: number; at: string },
  turnId: string,
  messageId = "",
  model = "",
): TurnItem {
  const turn: TurnItem = {
    kind: "turn",
    id: turnId,
    seq: at.seq,
    at: at.at,
    messageId,
    model,
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

/** The turn an event belongs to; one is made up if the log somehow lacks its `turn.started`. */
export const turnOf = (chat: ChatState, at: { seq: number; at: string }, turnId: string): TurnItem =>
  findTurn(chat, turnId) ?? startTurn(chat, at, turnId);
