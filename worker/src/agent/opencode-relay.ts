import { createOpencodeClient } from "@opencode-ai/sdk";
import type { Logger } from "../../../platform/logger";
import { type OpencodeEvent, SessionEventMapper } from "../subagents/opencode-events";
import type { AgentEventData, AgentEventType } from "./agent-events";
import { TextCoalescer } from "./text-coalescer";

export interface OpencodeRelayDeps {
  /** How to reach the user's OpenCode server (provisioner's stack connection). */
  connection(): Promise<{ baseUrl: string; headers: Record<string, string> }>;
  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<unknown>;
  keepAlive(work: Promise<unknown>): void;
  log: Logger;
}

const OPEN_TIMEOUT_MS = 15_000;
/** How long a text delta may wait, during a burst, to be merged with the ones right behind it. */
const COALESCE_WINDOW_MS = 4;

interface Watched {
  threadId: string;
  subAgentId: string;
  mapper: SessionEventMapper;
  coalescer: TextCoalescer;
  finished: Promise<void>;
  finish(): void;
}

/**
 * The Grow Agent's own subscription to the user's OpenCode event stream: text deltas and tool calls of every
 * sub-agent session go straight from OpenCode into the thread's event log and out to clients. Relaying them
 * through the sub-agent's actor instead would cost a Durable Object call per burst, and a Durable Object reads no
 * further stream chunks while such a call is pending (measured: one event per call, ~15 ms each).
 */
export class OpencodeRelay {
  readonly #sessions = new Map<string, Watched>();
  #stream?: { controller: AbortController; open: Promise<void> };

  constructor(private readonly deps: OpencodeRelayDeps) {}

  /** Starts relaying a session's events; resolves once the subscription is open (before the task is sent). */
  async watch(input: { opencodeSessionId: string; threadId: string; subAgentId: string }): Promise<void> {
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const coalescer = new TextCoalescer({
      mergeType: "subagent.text",
      windowMs: COALESCE_WINDOW_MS,
      send: (items) => {
        for (const item of items) {
          // Not awaited: the event pipeline keeps call order and writes a burst together.
          void this.deps
            .emit(
              input.threadId,
              item.type as AgentEventType,
              { ...item.data, subAgentId: input.subAgentId } as never,
            )
            .catch((error) => this.deps.log.warn("relaying a sub-agent event failed", { error }));
        }
      },
    });
    this.#sessions.set(input.opencodeSessionId, {
      threadId: input.threadId,
      subAgentId: input.subAgentId,
      mapper: new SessionEventMapper(input.opencodeSessionId),
      coalescer,
      finished,
      finish,
    });
    try {
      const stream = this.#subscribe();
      await Promise.race([
        stream.open,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("OpenCode's event stream did not open")), OPEN_TIMEOUT_MS),
        ),
      ]);
    } catch (error) {
      this.#sessions.delete(input.opencodeSessionId);
      throw error;
    }
  }

  /**
   * The sub-agent saw its session end: give this stream up to `graceMs` to relay the last events (the two
   * subscriptions are not in lockstep), then stop watching it.
   */
  async settle(opencodeSessionId: string, graceMs = 2_000): Promise<void> {
    const watched = this.#sessions.get(opencodeSessionId);
    if (!watched) return;
    await Promise.race([watched.finished, new Promise((resolve) => setTimeout(resolve, graceMs))]);
    watched.coalescer.flush();
    this.#sessions.delete(opencodeSessionId);
    if (this.#sessions.size === 0) {
      this.#stream?.controller.abort();
      this.#stream = undefined;
    }
  }

  #subscribe(): { controller: AbortController; open: Promise<void> } {
    if (this.#stream) return this.#stream;
    const controller = new AbortController();
    let opened = () => {};
    let failed: (error: unknown) => void = () => {};
    const open = new Promise<void>((resolve, reject) => {
      opened = resolve;
      failed = reject;
    });
    const stream = { controller, open };
    this.#stream = stream;
    const work = this.#read(controller.signal, opened)
      .catch((error) => {
        failed(error);
        if (!controller.signal.aborted) this.deps.log.warn("OpenCode event stream ended", { error });
      })
      .finally(() => {
        if (this.#stream === stream) this.#stream = undefined;
      });
    this.deps.keepAlive(work);
    return stream;
  }

  async #read(signal: AbortSignal, opened: () => void): Promise<void> {
    const { baseUrl, headers } = await this.deps.connection();
    const client = createOpencodeClient({ baseUrl, headers });
    const events = await client.event.subscribe({ signal, sseMaxRetryAttempts: 1 });
    let first = true;
    for await (const raw of events.stream) {
      if (first) {
        first = false;
        opened();
      }
      const event = raw as OpencodeEvent;
      const watched = this.#sessions.get(String(event.properties?.sessionID ?? ""));
      if (!watched) continue;
      const progress = watched.mapper.map(event);
      for (const item of progress.relay) watched.coalescer.add(item);
      if (progress.finished) {
        watched.coalescer.flush();
        watched.finish();
      }
    }
    if (first) throw new Error("OpenCode closed its event stream");
  }
}
