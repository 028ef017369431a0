import { performance } from "node:perf_hooks";
import { createOpencodeClient } from "@opencode-ai/sdk";
import { createClient } from "rivetkit/client";
import type { Registry } from "../../worker/src/actors/registry";
import { waitFor } from "./subagent-bench";

/**
 * The relay benchmark's client, run as its own process (`RELAY_PROBE` holds its input as JSON): it taps the user's
 * OpenCode event stream and holds a Grow Agent connection, so both ends are timed on one clock, sends one message
 * and prints what it saw as one JSON line.
 *
 * Why a process of its own: in the benchmark's process, next to dev/model, dev/fly's edge and the other stand-ins,
 * garbage collection paused this client for up to 84 ms (CPU profile) in the middle of a run, which no real
 * client of ours would lose to the path being measured.
 */
export interface RelayProbeInput {
  apiUrl: string;
  token: string;
  userId: string;
  /**
   * Sent one after another, each once the last turn ended; only the last is measured. The ones before warm the
   * probe up (a fresh process runs the client's code unoptimised at first).
   */
  turns: Array<{ threadId: string; message: string }>;
  /** OpenCode through dev/fly's edge, as the sub-agent reaches it. */
  opencode: { baseUrl: string; headers: Record<string, string> };
}

export interface RelayProbeResult {
  /** Text deltas as OpenCode emitted them. */
  deltas: Array<{ delta: string; at: number }>;
  /** `subagent.text` events of the thread as the client got them. */
  relayed: Array<{ at: number; data: { delta: string } }>;
}

interface WireEvent {
  threadId: string;
  type: string;
  data: { delta?: string };
}

async function probe(input: RelayProbeInput): Promise<RelayProbeResult> {
  const deltas: RelayProbeResult["deltas"] = [];
  const relayed: RelayProbeResult["relayed"] = [];
  let measured = "";
  const ended = new Set<string>();

  const opencode = createOpencodeClient(input.opencode);
  const tap = new AbortController();
  // Every directory's events: each sub-agent task runs in a directory of its own (tasks/<id>), an OpenCode instance
  // whose events the default stream (the server's own directory) does not carry.
  const events = await opencode.global.event({ signal: tap.signal, sseMaxRetryAttempts: 1 });
  let tapOpen: () => void = () => {};
  const tapOpened = new Promise<void>((resolve) => {
    tapOpen = resolve;
  });
  void (async () => {
    try {
      for await (const event of events.stream) {
        // OpenCode's first event (server.connected) says the subscription is live.
        tapOpen();
        const e = (event as { payload: { type: string; properties?: { field?: string; delta?: string } } })
          .payload;
        if (measured && e.type === "message.part.delta" && e.properties?.field === "text") {
          deltas.push({ delta: e.properties.delta ?? "", at: performance.now() });
        }
      }
    } catch {
      // aborted at the end
    }
  })();

  const conn = createClient<Registry>({
    endpoint: `${input.apiUrl}/api/rivet`,
    headers: { authorization: `Bearer ${input.token}` },
  })
    .growAgent.getOrCreate([input.userId], { params: { token: input.token } })
    .connect();
  conn.on("event", (event: WireEvent) => {
    if (event.type === "subagent.text" && event.threadId === measured) {
      relayed.push({ at: performance.now(), data: { delta: event.data.delta ?? "" } });
    } else if (event.type.startsWith("turn.") && event.type !== "turn.started") {
      ended.add(event.threadId);
    }
  });
  try {
    await conn.whoami();
    await tapOpened;
    for (const [i, turn] of input.turns.entries()) {
      if (i === input.turns.length - 1) measured = turn.threadId;
      await conn.sendMessage(turn.threadId, turn.message);
      await waitFor(() => ended.has(turn.threadId));
    }
    return { deltas, relayed };
  } finally {
    tap.abort();
    await conn.dispose();
  }
}

const input = JSON.parse(process.env.RELAY_PROBE ?? "null") as RelayProbeInput | null;
if (!input) throw new Error("RELAY_PROBE (the probe's input as JSON) is not set");
const result = JSON.stringify(await probe(input));
// Exit once the output is flushed: a pipe takes a large write in several goes, and open handles
// (the RivetKit client's timers) would otherwise keep the process alive.
process.stdout.write(`${result}\n`, () => process.exit(0));
