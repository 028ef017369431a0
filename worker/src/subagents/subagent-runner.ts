import { createOpencodeClient } from "@opencode-ai/sdk";
import { ApiError } from "../../../platform/api-error";
import { withTimeout } from "../../../platform/with-timeout";
import { opencodeEvents } from "./opencode-event-stream";
import { type ModelCallUsage, type OpencodeEvent, SessionEventMapper } from "./opencode-events";
import { RelayBatcher, type RelayEvent } from "./relay-batcher";

export interface SubAgentRunDeps {
  task: string;
  /** Wakes (or creates) the user's stack; throws when it cannot become ready. */
  ensureStack(): Promise<void>;
  /** How to reach the user's OpenCode server (base URL + headers with its password). Never logged. */
  connection(): Promise<{ baseUrl: string; headers: Record<string, string> }>;
  /**
   * Readies the workspace before the task (the memory clone, sandbox-workspace.ts) with a client for the default
   * directory; returns the directory the task's session runs in, or undefined for the default one. Never throws
   * for a failed sync, only when cancelled.
   */
  prepareWorkspace?(client: OpencodeClient, signal: AbortSignal): Promise<string | undefined>;
  /**
   * Hands a batch of events to the Grow Agent (which logs and broadcasts them); batches are numbered from 1 and a
   * failed delivery is retried with the same number.
   */
  relay(events: RelayEvent[], batch: number): Promise<void>;
  /** Events that could not be delivered after retries (the Grow Agent is unreachable): for the log. */
  onRelayDropped?(events: RelayEvent[], error: unknown): void;
  /** The session exists (recorded before the task is sent). */
  onSessionCreated(opencodeSessionId: string): Promise<void>;
  signal: AbortSignal;
  fetch?: typeof fetch;
}

type OpencodeClient = ReturnType<typeof createOpencodeClient>;

export interface SubAgentOutcome {
  status: "completed" | "failed" | "cancelled";
  result?: string;
  error?: string;
  costUsd: number;
  /**
   * Model calls OpenCode says it made for the task: information only. The sandbox's own report is never billed;
   * the model gateway meters each call from the real response (worker/src/gateway/).
   */
  usage?: ModelCallUsage[];
}

/**
 * See RelayBatcher. 1 ms lets the reads that waited during a delivery run (a burst still goes out in a few
 * batches); at 5 ms every event that arrived meanwhile waited that much longer (benchmark: p50 ~2× higher).
 */
const RELAY_GAP_MS = 1;
/** The end is reported after the relay drained, but never waits longer than this for an unreachable Grow Agent. */
const RELAY_DRAIN_MS = 45_000;
const STREAM_OPEN_MS = 15_000;

/** The sub-agent's answer goes back to the Grow Agent's model as a tool result: keep it readable. */
export const MAX_RESULT_CHARS = 8_000;

/**
 * One delegated task: wake the sandbox, open an OpenCode session, send the task, relay what the session does to the
 * Grow Agent while it runs, and return its final answer once the session goes idle (after everything it did has been
 * relayed). Cancel (the signal) aborts the OpenCode session. A server that dies or stops answering ends the run as
 * failed with a reason, never as a hang.
 */
export async function runSubAgent(deps: SubAgentRunDeps): Promise<SubAgentOutcome> {
  const relay = new RelayBatcher({
    send: (events, batch) => deps.relay(events, batch),
    mergeType: "subagent.text",
    gapMs: RELAY_GAP_MS,
    onDropped: (events, error) => deps.onRelayDropped?.(events, error),
  });
  try {
    return await run(deps, relay);
  } finally {
    // Everything the session did reaches the thread before the sub-agent's end does.
    await withTimeout(relay.drain(), RELAY_DRAIN_MS).catch((error) => deps.onRelayDropped?.([], error));
  }
}

async function run(deps: SubAgentRunDeps, relay: RelayBatcher): Promise<SubAgentOutcome> {
  let sessionId: string | undefined;
  let mapper: SessionEventMapper | undefined;
  let client: OpencodeClient | undefined;
  let directory: string | undefined;
  try {
    relay.add([{ type: "subagent.status", data: { status: "waking" } }]);
    await deps.ensureStack();
    if (deps.signal.aborted) return { status: "cancelled", costUsd: 0 };
    const { baseUrl, headers } = await deps.connection();
    client = createOpencodeClient({ baseUrl, headers, fetch: deps.fetch });
    directory = await deps.prepareWorkspace?.(client, deps.signal);
    if (deps.signal.aborted) return { status: "cancelled", costUsd: 0 };
    // OpenCode keeps one instance per directory (its own config, skills and event stream): every call of the task,
    // its event stream included, names the task's directory.
    if (directory) client = createOpencodeClient({ baseUrl, headers, fetch: deps.fetch, directory });
    const created = await client.session.create({
      body: { title: deps.task.slice(0, 80) },
      signal: deps.signal,
    });
    if (!created.data) throw new Error(`OpenCode refused to open a session (${created.response.status})`);
    sessionId = created.data.id;
    mapper = new SessionEventMapper(sessionId);

    // No retries: a broken stream means the server died or restarted, and the run it carried is gone with it.
    const stream = opencodeEvents({ baseUrl, headers, directory, signal: deps.signal, fetch: deps.fetch });
    try {
      // Listen before sending: a quick task could otherwise finish before the subscription is open.
      const first = await withTimeout(stream.next(), STREAM_OPEN_MS, "OpenCode's event stream did not open");
      if (first.done) throw new Error("OpenCode closed its event stream");
      await deps.onSessionCreated(sessionId);
      relay.add([{ type: "subagent.status", data: { status: "running", opencodeSessionId: sessionId } }]);
      const sent = await client.session.promptAsync({
        path: { id: sessionId },
        body: { parts: [{ type: "text", text: deps.task }] },
        signal: deps.signal,
      });
      if (sent.error) throw new Error(`OpenCode refused the task (${sent.response.status})`);

      for (let next: IteratorResult<OpencodeEvent[]> = first; !next.done; next = await stream.next()) {
        const progress = mapEvents(mapper, next.value);
        // Never awaited here: the next chunk is read while a batch is on its way (see RelayBatcher).
        relay.add(progress.relay);
        if (progress.error) throw new Error(progress.error);
        if (progress.finished) {
          const result = await finalAnswer(client, sessionId, deps.signal);
          return { status: "completed", result, costUsd: mapper.costUsd, usage: mapper.usage };
        }
      }
    } finally {
      await stream.return(undefined).catch(() => {});
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
    return { status: "failed", error: failureReason(error), costUsd, usage };
  } finally {
    // The task's directory gets an OpenCode instance of its own (file watcher, caches): let it go once the task is
    // over. Disposing aborts sessions of that directory, of which there is only this one, now ended.
    if (client && directory) await withTimeout(client.instance.dispose(), 5_000).catch(() => {});
  }
}

/** One chunk's events: what to relay (all of it, so it goes out as one batch), and the first end or error. */
function mapEvents(mapper: SessionEventMapper, events: readonly OpencodeEvent[]) {
  const relay: RelayEvent[] = [];
  for (const event of events) {
    const progress = mapper.map(event);
    relay.push(...progress.relay);
    if (progress.error || progress.finished) return { ...progress, relay };
  }
  return { relay, finished: false, error: undefined };
}

/** The text of the session's last assistant message. */
async function finalAnswer(client: OpencodeClient, sessionId: string, signal: AbortSignal): Promise<string> {
  const messages = await client.session.messages({ path: { id: sessionId }, signal });
  const last = (messages.data ?? []).filter((m) => m.info.role === "assistant").at(-1);
  const text = (last?.parts ?? [])
    .flatMap((part) => (part.type === "text" ? [part.text] : []))
    .join("\n")
    .trim();
  return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}…` : text;
}

/** A reason for the user and the model; no URLs or credentials (the connection carries the password). */
export function failureReason(error: unknown): string {
  // A refusal of ours (the plan's stack starts or allowance) keeps its code: the model and the user learn why,
  // and what to do (wait, or upgrade), from it.
  if (error instanceof ApiError) return `${error.code}: ${error.message}`.slice(0, 500);
  const message = error instanceof Error ? error.message : String(error);
  // A query's text and parameters are not for the user (or the model).
  if (/^Failed query:/i.test(message))
    return "The sub-agent's records could not be written (database unavailable)";
  if (/fetch failed|ECONNREFUSED|network|connect/i.test(message))
    return "The sandbox (OpenCode) is unreachable";
  return message.replace(/https?:\/\/\S+/g, "<sandbox>").slice(0, 500);
}
