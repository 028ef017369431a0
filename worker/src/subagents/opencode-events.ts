/**
 * OpenCode's event stream (`GET /event`, SSE) → what the Grow Agent relays to the thread. Pure: the runner
 * feeds it each event of the server and sends on what it returns.
 */

/** The part of an OpenCode event this mapping reads (see @opencode-ai/sdk `Event`). */
export interface OpencodeEvent {
  type: string;
  properties?: Record<string, unknown>;
}

export type RelayedEvent =
  | { type: "subagent.text"; data: { delta: string } }
  | {
      type: "subagent.tool";
      data: {
        callId: string;
        tool: string;
        status: "running" | "completed" | "error";
        input?: unknown;
        output?: string;
      };
    }
  | { type: "subagent.file"; data: { path: string } };

/** Tool outputs can be whole files: the thread gets a preview, OpenCode keeps the rest. */
export const MAX_TOOL_OUTPUT_CHARS = 2_000;

export interface SessionProgress {
  /** Relay these, in order. */
  relay: RelayedEvent[];
  /** The session went idle after working: the task is done (or stopped). */
  finished: boolean;
  /** OpenCode reported an error for the session. */
  error?: string;
  /** Total cost so far, when OpenCode reported it (assistant message updates). */
  costUsd?: number;
}

/** One model call of the session as OpenCode reported it. */
export interface ModelCallUsage {
  messageId: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

interface AssistantInfo {
  id?: string;
  role?: string;
  cost?: number;
  modelID?: string;
  tokens?: { input?: number; output?: number; reasoning?: number; cache?: { read?: number; write?: number } };
}

const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

function usageOf(messageId: string, model: string | undefined, tokens: NonNullable<AssistantInfo["tokens"]>) {
  return {
    messageId,
    model: model ?? "unknown",
    inputTokens: count(tokens.input),
    outputTokens: count(tokens.output) + count(tokens.reasoning),
    cacheReadTokens: count(tokens.cache?.read),
    cacheWriteTokens: count(tokens.cache?.write),
  };
}

interface Part {
  id?: string;
  type?: string;
  tool?: string;
  callID?: string;
  messageID?: string;
  state?: {
    status?: string;
    input?: unknown;
    output?: unknown;
    error?: unknown;
    metadata?: { filepath?: unknown };
  };
}

/**
 * Tracks one OpenCode session across its events. Text arrives as `message.part.delta` for assistant parts only
 * (the user's own prompt also streams back as a part, which must not be relayed as the sub-agent's words).
 */
export class SessionEventMapper {
  readonly #assistantMessages = new Set<string>();
  readonly #toolStates = new Map<string, string>();
  #busy = false;
  readonly #costs = new Map<string, number>();
  readonly #usage = new Map<string, ModelCallUsage>();

  constructor(private readonly sessionId: string) {}

  map(event: OpencodeEvent): SessionProgress {
    const props = event.properties ?? {};
    const none: SessionProgress = { relay: [], finished: false };
    if (event.type === "file.edited" || props.sessionID !== this.sessionId) return none;

    switch (event.type) {
      case "message.updated": {
        const info = props.info as AssistantInfo | undefined;
        if (info?.role === "assistant" && info.id) {
          this.#assistantMessages.add(info.id);
          if (typeof info.cost === "number") this.#costs.set(info.id, info.cost);
          if (info.tokens) this.#usage.set(info.id, usageOf(info.id, info.modelID, info.tokens));
        }
        return { ...none, costUsd: this.costUsd };
      }
      case "message.part.delta": {
        const messageId = String(props.messageID ?? "");
        if (props.field !== "text" || !this.#assistantMessages.has(messageId)) return none;
        const delta = String(props.delta ?? "");
        return delta ? { ...none, relay: [{ type: "subagent.text", data: { delta } }] } : none;
      }
      case "message.part.updated":
        return { ...none, relay: this.#toolPart(props.part as Part | undefined) };
      case "session.status": {
        const status = (props.status as { type?: string } | undefined)?.type;
        if (status === "busy") this.#busy = true;
        return { ...none, finished: status === "idle" && this.#busy };
      }
      case "session.idle":
        return { ...none, finished: this.#busy };
      case "session.error": {
        const error = props.error as { name?: string; data?: { message?: string } } | undefined;
        return { ...none, error: error?.data?.message ?? error?.name ?? "OpenCode reported an error" };
      }
      default:
        return none;
    }
  }

  /** Tokens per assistant message (the latest report of each), for metering against the user's plan. */
  get usage(): ModelCallUsage[] {
    return [...this.#usage.values()];
  }

  get costUsd(): number {
    let total = 0;
    for (const cost of this.#costs.values()) total += cost;
    return total;
  }

  #toolPart(part: Part | undefined): RelayedEvent[] {
    if (part?.type !== "tool" || !part.callID || !part.tool) return [];
    const status = part.state?.status;
    if (status !== "running" && status !== "completed" && status !== "error") return [];
    // Each state once: OpenCode re-sends a part on every metadata change.
    if (this.#toolStates.get(part.callID) === status) return [];
    this.#toolStates.set(part.callID, status);
    const output = status === "running" ? undefined : previewOf(part.state?.output ?? part.state?.error);
    const events: RelayedEvent[] = [
      {
        type: "subagent.tool",
        data: {
          callId: part.callID,
          tool: part.tool,
          status,
          input: inputPreview(part.state?.input),
          ...(output ? { output } : {}),
        },
      },
    ];
    const file = part.state?.metadata?.filepath;
    if (status === "completed" && typeof file === "string")
      events.push({ type: "subagent.file", data: { path: file } });
    return events;
  }
}

/** A tool's input can be a whole file (`write`): small inputs stay structured, large ones become a preview. */
function inputPreview(input: unknown): unknown {
  if (input === undefined) return undefined;
  const text = JSON.stringify(input);
  return text.length <= MAX_TOOL_OUTPUT_CHARS
    ? input
    : { preview: `${text.slice(0, MAX_TOOL_OUTPUT_CHARS)}…` };
}

function previewOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_TOOL_OUTPUT_CHARS ? `${text.slice(0, MAX_TOOL_OUTPUT_CHARS)}…` : text;
}
