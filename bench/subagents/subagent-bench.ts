import { performance } from "node:perf_hooks";
import { createOpencodeClient } from "@opencode-ai/sdk";
import { createClient } from "rivetkit/client";
import type { LocalStack } from "../../dev/stack";
import type { Registry } from "../../worker/src/actors/registry";
import { type Latency, latency } from "../actors/stats";
import { putOnTeamPlan } from "../team-plan";

export const RELAY_P99_TARGET_MS = 20;

interface WireEvent {
  threadId: string;
  seq: number;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads differ per event type
  data: any;
}

export interface SubAgentBenchResult {
  /**
   * OpenCode emits a text delta (seen on its own event stream by this process) → a client has it from the Grow
   * Agent, while the model streams a delta every `paceMs` (a few times faster than Claude streams).
   */
  paced: Latency;
  paceMs: number;
  relayTargetMs: number;
  pass: boolean;
  /** The same, when the model sends its whole answer at once (~150 deltas within a few ms): a stress figure. */
  burst: Latency;
  parallel: {
    subAgents: number;
    events: number;
    seconds: number;
    eventsPerSecond: number;
    allCompleted: boolean;
  };
}

/** A task whose answer (dev/model echoes it) streams as ~`words` / 2 deltas through OpenCode. */
const longTask = (words: number) =>
  `delegate this: ${Array.from({ length: words }, (_, i) => `word${i}`).join(" ")}`;

/** The same, spawned explicitly with a `[[slow]]` directive that dev/model applies to the sub-agent's answer. */
const pacedTask = (words: number, paceMs: number) =>
  `[[tool:spawn_sub_agent ${JSON.stringify({ task: `${longTask(words)} [[slow:${paceMs}]]` })}]]`;

const PACE_MS = 10;

/**
 * Runs on dev/fly with the real OpenCode: the first sub-agent pays for the cold stack start, which is not
 * measured. The bench user is put on the Team plan (10 parallel sub-agents) directly in the database.
 */
export async function benchSubAgents(stack: LocalStack): Promise<SubAgentBenchResult> {
  if (!stack.fly) throw new Error("the sub-agent benchmark needs dev/fly (unset FLY_API_TOKEN)");
  const token = await stack.issuer.mint(`bench-sub-${crypto.randomUUID().slice(0, 6)}`, {
    ttlSeconds: 3_600,
  });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const api = async <T>(path: string, init: RequestInit = {}) =>
    (await (await fetch(`${stack.apiUrl}${path}`, { ...init, headers })).json()) as T;
  const me = await api<{ id: string }>("/api/me");
  await putOnTeamPlan(stack, me.id);
  const newThread = async () =>
    (await api<{ id: string }>("/api/threads", { method: "POST", body: "{}" })).id;
  const conn = createClient<Registry>({ endpoint: `${stack.apiUrl}/api/rivet` })
    .growAgent.getOrCreate([me.id], { params: { token } })
    .connect();
  const received: Array<WireEvent & { at: number }> = [];
  conn.on("event", (event: WireEvent) => received.push({ ...event, at: performance.now() }));
  const turnDone = (threadId: string) =>
    waitFor(() =>
      received.some(
        (e) => e.threadId === threadId && e.type.startsWith("turn.") && e.type !== "turn.started",
      ),
    );
  try {
    await conn.whoami();
    // Warm up: wakes (creates) the user's stack and OpenCode.
    const warm = await newThread();
    await conn.sendMessage(warm, "delegate this: warm up");
    await turnDone(warm);

    // Relay latency: tap OpenCode's own event stream from here, on the same clock as the client.
    const relayOf = async (message: string) => {
      const tap = await opencodeTap(stack, token);
      const threadId = await newThread();
      await conn.sendMessage(threadId, message);
      await turnDone(threadId);
      tap.stop();
      const relayed = received.filter((e) => e.threadId === threadId && e.type === "subagent.text");
      return latency(relayLatencies(tap.deltas, relayed));
    };
    const paced = await relayOf(pacedTask(300, PACE_MS));
    const burst = await relayOf(longTask(300));

    // Four sub-agents at once: events delivered to one client per second while they run.
    const parallelThread = await newThread();
    const spawns = [1, 2, 3, 4].map((n) => `[[tool:spawn_sub_agent {"task":"${longTask(150)} n${n}"}]]`);
    const start = performance.now();
    await conn.sendMessage(parallelThread, `four at once ${spawns.join(" ")}`);
    await turnDone(parallelThread);
    const mine = received.filter((e) => e.threadId === parallelThread && e.type.startsWith("subagent."));
    const seconds = ((mine.at(-1)?.at ?? start) - (mine[0]?.at ?? start)) / 1_000;
    const finished = mine.filter((e) => e.type === "subagent.finished");
    return {
      paced,
      paceMs: PACE_MS,
      relayTargetMs: RELAY_P99_TARGET_MS,
      pass: paced.n > 0 && paced.p99 < RELAY_P99_TARGET_MS,
      burst,
      parallel: {
        subAgents: finished.length,
        events: mine.length,
        seconds: Math.round(seconds * 1_000) / 1_000,
        eventsPerSecond: seconds > 0 ? Math.round(mine.length / seconds) : 0,
        allCompleted: finished.length === 4 && finished.every((e) => e.data.status === "completed"),
      },
    };
  } finally {
    await conn.dispose();
  }
}

/** Subscribes to the user's OpenCode event stream directly (password from the dev/fly machine config). */
async function opencodeTap(stack: LocalStack, token: string) {
  const fly = stack.fly as NonNullable<LocalStack["fly"]>;
  const view = (await (
    await fetch(`${stack.apiUrl}/api/stack`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { machines: { opencode?: { machineId?: string } } };
  const machineId = view.machines.opencode?.machineId ?? "";
  const machine = (await (
    await fetch(`${fly.apiUrl}/apps/growqr-runtime/machines/${machineId}`, {
      headers: { authorization: `Bearer ${fly.token}` },
    })
  ).json()) as { config: { env: Record<string, string> } };
  const client = createOpencodeClient({
    baseUrl: fly.edgeUrl,
    headers: {
      "fly-force-instance-id": machineId,
      authorization: `Basic ${btoa(`opencode:${machine.config.env.OPENCODE_SERVER_PASSWORD}`)}`,
    },
  });
  const controller = new AbortController();
  const deltas: Array<{ delta: string; at: number }> = [];
  const events = await client.event.subscribe({ signal: controller.signal, sseMaxRetryAttempts: 1 });
  void (async () => {
    try {
      for await (const event of events.stream) {
        const e = event as { type: string; properties?: { field?: string; delta?: string } };
        if (e.type === "message.part.delta" && e.properties?.field === "text") {
          deltas.push({ delta: e.properties.delta ?? "", at: performance.now() });
        }
      }
    } catch {
      // stopped
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { deltas, stop: () => controller.abort() };
}

/**
 * The Grow Agent may merge a burst of OpenCode's deltas into one event, so each delta OpenCode emitted is timed to
 * the first client event by which the client has all text up to and including it. Deltas the client never got
 * (the relayed text diverges from OpenCode's) are left out, and `n` shows it.
 */
export function relayLatencies(
  source: ReadonlyArray<{ delta: string; at: number }>,
  relayed: ReadonlyArray<{ at: number; data: { delta: string } }>,
): number[] {
  const sourceText = source.map((d) => d.delta).join("");
  const samples: number[] = [];
  let sourceEnd = 0;
  let relayedEnd = 0;
  let r = 0;
  let relayedText = "";
  for (const delta of source) {
    sourceEnd += delta.delta.length;
    while (relayedEnd < sourceEnd && r < relayed.length) {
      const text = relayed[r]?.data.delta ?? "";
      relayedText += text;
      relayedEnd += text.length;
      r++;
    }
    if (relayedEnd < sourceEnd || !sourceText.startsWith(relayedText.slice(0, sourceEnd))) break;
    samples.push((relayed[r - 1]?.at ?? delta.at) - delta.at);
  }
  return samples;
}

async function waitFor(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("sub-agent benchmark timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function formatSubAgentBench(result: SubAgentBenchResult): string {
  const { paced, burst, parallel } = result;
  return [
    "Sub-agents (real OpenCode on dev/fly, dev/model)",
    `  OpenCode event → client (relayed via the Grow Agent), a delta every ${result.paceMs} ms: p50 ${paced.p50} ms, p99 ${paced.p99} ms (n=${paced.n}; target p99 < ${result.relayTargetMs} ms: ${result.pass ? "pass" : "FAIL"})`,
    `  the same, whole answer at once: p50 ${burst.p50} ms, p99 ${burst.p99} ms (n=${burst.n})`,
    `  4 parallel sub-agents: ${parallel.events} events in ${parallel.seconds} s → ${parallel.eventsPerSecond} events/s to one client; all completed: ${parallel.allCompleted}`,
  ].join("\n");
}
