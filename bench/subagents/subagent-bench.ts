import { performance } from "node:perf_hooks";
import { createClient } from "rivetkit/client";
import { type CpuPriority, readCpuPriority } from "../../dev/fly/guest-priority";
import { runJsonChild } from "../../dev/ready-child";
import type { LocalStack } from "../../dev/stack";
import type { Registry } from "../../worker/src/actors/registry";
import { type Latency, latency } from "../actors/stats";
import { putOnTeamPlan } from "../team-plan";
import { withCpuShare } from "./process-cpu";
import type { RelayProbeInput, RelayProbeResult } from "./relay-probe";

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
  /**
   * How much of one core OpenCode used while the paced figure was measured. OpenCode shares this machine's cores
   * with everything on the measured path (in production it has a machine of its own).
   */
  opencodeCpuPercent?: number;
  /** The priority OpenCode really ran at (dev/fly lowers it, see dev/fly/guest-priority.ts), read from /proc. */
  opencodePriority?: CpuPriority;
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

/** A sub-agent whose answer dev/model streams as ~`words` / 2 deltas, one every `paceMs`. */
const pacedTask = (words: number, paceMs: number) =>
  `[[tool:spawn_sub_agent ${JSON.stringify({ task: `delegate this: [[words:${words}]] [[slow:${paceMs}]]` })}]]`;

const PACE_MS = 10;
/** ~1,000 deltas: enough that p99 is the 10th-worst sample, not the second-worst. */
const PACED_WORDS = 2_000;
const PROBE = "bench/subagents/relay-probe.ts";
const WARM_UP = "delegate this: warm up";

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
  const open = () => connect(stack, me.id, token);

  // Warm up: wakes (creates) the user's stack and OpenCode.
  const warm = await open();
  try {
    await warm.turn(await newThread(), WARM_UP);
  } finally {
    await warm.close();
  }

  // Relay latency, measured by a client in a process of its own (see relay-probe.ts); this process holds no
  // connection meanwhile, so it does not receive (and collect) every event too.
  const { connection: opencode, pid: opencodePid } = await opencodeMachine(stack, token);
  const relayOf = async (message: string) => {
    const input: RelayProbeInput = {
      apiUrl: stack.apiUrl,
      token,
      userId: me.id,
      turns: [
        { threadId: await newThread(), message: WARM_UP },
        { threadId: await newThread(), message },
      ],
      opencode,
    };
    const seen = await runJsonChild<RelayProbeResult>(PROBE, { RELAY_PROBE: JSON.stringify(input) });
    return latency(relayLatencies(seen.deltas, seen.relayed));
  };
  const { result: paced, cpuPercent: opencodeCpuPercent } = await withCpuShare(opencodePid, () =>
    relayOf(pacedTask(PACED_WORDS, PACE_MS)),
  );
  const opencodePriority =
    opencodePid === undefined ? undefined : await readCpuPriority(opencodePid).catch(() => undefined);
  const burst = await relayOf(longTask(300));

  // Four sub-agents at once: events delivered to one client per second while they run.
  const client = await open();
  try {
    const parallelThread = await newThread();
    const spawns = [1, 2, 3, 4].map((n) => `[[tool:spawn_sub_agent {"task":"${longTask(150)} n${n}"}]]`);
    const start = performance.now();
    await client.turn(parallelThread, `four at once ${spawns.join(" ")}`);
    const mine = client.received.filter(
      (e) => e.threadId === parallelThread && e.type.startsWith("subagent."),
    );
    const seconds = ((mine.at(-1)?.at ?? start) - (mine[0]?.at ?? start)) / 1_000;
    const finished = mine.filter((e) => e.type === "subagent.finished");
    return {
      paced,
      opencodeCpuPercent,
      opencodePriority,
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
    await client.close();
  }
}

/** A Grow Agent connection that keeps every event it gets, with when it got it. */
async function connect(stack: LocalStack, userId: string, token: string) {
  const conn = createClient<Registry>({
    endpoint: `${stack.apiUrl}/api/rivet`,
    headers: { authorization: `Bearer ${token}` },
  })
    .growAgent.getOrCreate([userId], { params: { token } })
    .connect();
  const received: Array<WireEvent & { at: number }> = [];
  conn.on("event", (event: WireEvent) => received.push({ ...event, at: performance.now() }));
  await conn.whoami();
  return {
    received,
    /** Sends a message and waits for its turn to end. */
    async turn(threadId: string, message: string) {
      await conn.sendMessage(threadId, message);
      await waitFor(() =>
        received.some(
          (e) => e.threadId === threadId && e.type.startsWith("turn.") && e.type !== "turn.started",
        ),
      );
    },
    close: () => conn.dispose(),
  };
}

/**
 * The user's OpenCode: how the sub-agent reaches it (through dev/fly's edge, password from the machine config)
 * and its local process.
 */
async function opencodeMachine(stack: LocalStack, token: string) {
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
  const connection: RelayProbeInput["opencode"] = {
    baseUrl: fly.edgeUrl,
    headers: {
      "fly-force-instance-id": machineId,
      authorization: `Basic ${btoa(`opencode:${machine.config.env.OPENCODE_SERVER_PASSWORD}`)}`,
    },
  };
  return { connection, pid: fly.machines().find((m) => m.id === machineId)?.pid };
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

/** Polls `check` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 120_000): Promise<void> {
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
    `  OpenCode event → client (relayed via the Grow Agent), a delta every ${result.paceMs} ms: p50 ${paced.p50} ms, p99 ${paced.p99} ms (n=${paced.n}; target p99 < ${result.relayTargetMs} ms: ${result.pass ? "pass" : "FAIL"})${result.opencodeCpuPercent === undefined ? "" : `; OpenCode used ${result.opencodeCpuPercent}% of a core meanwhile${priorityText(result.opencodePriority)}`}`,
    `  the same, whole answer at once: p50 ${burst.p50} ms, p99 ${burst.p99} ms (n=${burst.n})`,
    `  4 parallel sub-agents: ${parallel.events} events in ${parallel.seconds} s → ${parallel.eventsPerSecond} events/s to one client; all completed: ${parallel.allCompleted}`,
  ].join("\n");
}

function priorityText(priority: CpuPriority | undefined): string {
  if (!priority) return "";
  const session = priority.sessionNice === undefined ? "" : `, its session at nice ${priority.sessionNice}`;
  return `, at nice ${priority.nice}${session}`;
}
