import { createOpencodeClient } from "@opencode-ai/sdk";
import { type ModelCallUsage, type OpencodeEvent, SessionEventMapper } from "./opencode-events";

export interface RelayEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface SubAgentRunDeps {
  task: string;
  /** Added to the session's system prompt (the user's skills). */
  system?: string;
  /** Wakes (or creates) the user's stack; throws when it cannot become ready. */
  ensureStack(): Promise<void>;
  /** How to reach the user's OpenCode server (base URL + headers with its password). Never logged. */
  connection(): Promise<{ baseUrl: string; headers: Record<string, string> }>;
  /** Hands status events to the Grow Agent (which logs and broadcasts them). */
  relay(events: RelayEvent[]): Promise<void>;
  /**
   * The session exists; resolves once the Grow Agent watches it (it relays the session's own events from its
   * subscription to OpenCode), so nothing the task does can be missed.
   */
  onSessionCreated(opencodeSessionId: string): Promise<void>;
  signal: AbortSignal;
  fetch?: typeof fetch;
}

export interface SubAgentOutcome {
  status: "completed" | "failed" | "cancelled";
  result?: string;
  error?: string;
  costUsd: number;
  /** Model calls OpenCode made for the task: metered like the Grow Agent's own. */
  usage?: ModelCallUsage[];
}

/** The sub-agent's answer goes back to the Grow Agent's model as a tool result: keep it readable. */
export const MAX_RESULT_CHARS = 8_000;

/**
 * One delegated task: wake the sandbox, open an OpenCode session, have the Grow Agent watch it, send the task,
 * wait until the session goes idle, and return its final answer. Cancel (the signal) aborts the OpenCode session. A server
 * that dies or stops answering ends the run as failed with a reason, never as a hang.
 */
export async function runSubAgent(deps: SubAgentRunDeps): Promise<SubAgentOutcome> {
  let sessionId: string | undefined;
  let mapper: SessionEventMapper | undefined;
  let client: ReturnType<typeof createOpencodeClient> | undefined;
  try {
    // Awaited, so it is logged before the Grow Agent's own `running`; a failed report does not stop the task.
    await deps.relay([{ type: "subagent.status", data: { status: "waking" } }]).catch(() => {});
    await deps.ensureStack();
    if (deps.signal.aborted) return { status: "cancelled", costUsd: 0 };
    const { baseUrl, headers } = await deps.connection();
    client = createOpencodeClient({ baseUrl, headers, fetch: deps.fetch });
    const created = await client.session.create({
      body: { title: deps.task.slice(0, 80) },
      signal: deps.signal,
    });
    if (!created.data) throw new Error(`OpenCode refused to open a session (${created.response.status})`);
    sessionId = created.data.id;
    mapper = new SessionEventMapper(sessionId);

    // No retries: a broken stream means the server died or restarted, and the run it carried is gone with it.
    const events = await client.event.subscribe({ signal: deps.signal, sseMaxRetryAttempts: 1 });
    const stream = events.stream[Symbol.asyncIterator]();
    // Listen before sending: a quick task could otherwise finish before the subscription is open.
    const first = await stream.next();
    if (first.done) throw new Error("OpenCode closed its event stream");
    await deps.onSessionCreated(sessionId);
    const sent = await client.session.promptAsync({
      path: { id: sessionId },
      body: { parts: [{ type: "text", text: deps.task }], ...(deps.system ? { system: deps.system } : {}) },
      signal: deps.signal,
    });
    if (sent.error) throw new Error(`OpenCode refused the task (${sent.response.status})`);

    for (let next = await stream.next(); !next.done; next = await stream.next()) {
      // This stream only decides when the task is over; the Grow Agent relays the session's events itself.
      const progress = mapper.map(next.value as OpencodeEvent);
      if (progress.error) throw new Error(progress.error);
      if (progress.finished) {
        const result = await finalAnswer(client, sessionId, deps.signal);
        await stream.return?.(undefined);
        return { status: "completed", result, costUsd: mapper.costUsd, usage: mapper.usage };
      }
    }
    if (deps.signal.aborted) throw deps.signal.reason;
    throw new Error("OpenCode stopped sending events before the task finished");
  } catch (error) {
    const costUsd = mapper?.costUsd ?? 0;
    const usage = mapper?.usage ?? [];
    if (deps.signal.aborted) {
      if (client && sessionId) await client.session.abort({ path: { id: sessionId } }).catch(() => {});
      return { status: "cancelled", costUsd, usage };
    }
    return { status: "failed", error: describe(error), costUsd, usage };
  }
}

/** The text of the session's last assistant message. */
async function finalAnswer(
  client: ReturnType<typeof createOpencodeClient>,
  sessionId: string,
  signal: AbortSignal,
): Promise<string> {
  const messages = await client.session.messages({ path: { id: sessionId }, signal });
  const last = (messages.data ?? []).filter((m) => m.info.role === "assistant").at(-1);
  const text = (last?.parts ?? [])
    .flatMap((part) => (part.type === "text" ? [part.text] : []))
    .join("\n")
    .trim();
  return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}…` : text;
}

/** A reason for the user and the model; no URLs or credentials (the connection carries the password). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/fetch failed|ECONNREFUSED|network|connect/i.test(message))
    return "The sandbox (OpenCode) is unreachable";
  return message.replace(/https?:\/\/\S+/g, "<sandbox>").slice(0, 500);
}
