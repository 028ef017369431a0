import { performance } from "node:perf_hooks";
import type { createClient } from "rivetkit/client";
import type { DevModelEvent } from "../../dev/model/model-server";
import type { LocalStack } from "../../dev/stack";
import type { Registry } from "../../worker/src/actors/registry";
import { type Latency, latency } from "../actors/stats";
import { benchUser } from "./bench-user";

/** Target of the issue: what the Grow Agent adds between the model's first delta and a client's receipt. */
export const FIRST_DELTA_P99_TARGET_MS = 10;

/**
 * Hooks into dev/model (started by the stack in this process) to timestamp the first text delta it writes for
 * each request, on the same clock as the clients' receipts.
 */
export function createModelProbe() {
  let firstDeltaAt: number | undefined;
  const seen = new Set<string>();
  return {
    onEvent(event: DevModelEvent) {
      if (event.type !== "content_block_delta" || seen.has(event.requestId)) return;
      seen.add(event.requestId);
      firstDeltaAt = performance.now();
    },
    /** The first-delta time of the latest request, cleared so each turn reads its own. */
    take(): number | undefined {
      const at = firstDeltaAt;
      firstDeltaAt = undefined;
      return at;
    },
  };
}
export type ModelProbe = ReturnType<typeof createModelProbe>;

interface WireEvent {
  threadId: string;
  seq: number;
  type: string;
}

export interface AgentBenchResult {
  /** Model's first delta written → a connected client has the `text.delta` event (persisted, then broadcast). */
  firstDelta: Latency;
  /** Baseline from the same run: an action whose broadcast the same client receives (no model, no database). */
  broadcastRoundTrip: Latency;
  firstDeltaTargetMs: number;
  pass: boolean;
  fanout: {
    clients: number;
    eventsPerTurn: number;
    deliveries: number;
    seconds: number;
    eventsPerSecond: number;
    /** Every client got every event of the turn exactly once, in seq order. */
    complete: boolean;
  };
}

export interface AgentBenchSettings {
  turns: number;
  clients: number;
  fanoutWords: number;
}

export function agentBenchSettings(env: NodeJS.ProcessEnv = process.env): AgentBenchSettings {
  return {
    turns: Number(env.BENCH_AGENT_TURNS ?? 200),
    clients: Number(env.BENCH_AGENT_CLIENTS ?? 100),
    fanoutWords: Number(env.BENCH_AGENT_WORDS ?? 2_000),
  };
}

export async function benchAgent(
  stack: LocalStack,
  probe: ModelProbe,
  settings = agentBenchSettings(),
): Promise<AgentBenchResult> {
  const { newThread, connect } = await benchUser(stack, "bench-agent");

  const main = connect();
  try {
    await main.whoami();
    const firstDelta = await measureFirstDelta(main, probe, await newThread(), settings.turns);
    const broadcastRoundTrip = await measureBroadcast(main, settings.turns);
    const fanout = await measureFanout(connect, main, await newThread(), settings);
    return {
      firstDelta,
      broadcastRoundTrip,
      firstDeltaTargetMs: FIRST_DELTA_P99_TARGET_MS,
      pass: firstDelta.p99 < FIRST_DELTA_P99_TARGET_MS,
      fanout,
    };
  } finally {
    await main.dispose();
  }
}

type Conn = ReturnType<
  ReturnType<ReturnType<typeof createClient<Registry>>["growAgent"]["getOrCreate"]>["connect"]
>;

/** Sequential turns (one model request each), so the probe's latest first delta belongs to the current turn. */
async function measureFirstDelta(conn: Conn, probe: ModelProbe, threadId: string, turns: number) {
  const samples: number[] = [];
  for (let i = 0; i < turns + 5; i++) {
    probe.take();
    let receivedAt: number | undefined;
    const done = new Promise<void>((resolve) => {
      const off = conn.on("event", (event: WireEvent) => {
        if (event.threadId !== threadId) return;
        if (event.type === "text.delta" && receivedAt === undefined) receivedAt = performance.now();
        if (event.type.startsWith("turn.") && event.type !== "turn.started") {
          off();
          resolve();
        }
      });
    });
    await conn.sendMessage(threadId, `turn ${i} [[words:20]]`);
    await done;
    const sentAt = probe.take();
    // The first five turns warm the isolate, the database pool and the model client.
    if (i >= 5 && sentAt !== undefined && receivedAt !== undefined) samples.push(receivedAt - sentAt);
  }
  return latency(samples);
}

async function measureBroadcast(conn: Conn, rounds: number) {
  const samples: number[] = [];
  for (let i = 0; i < rounds + 5; i++) {
    const start = performance.now();
    const received = new Promise<void>((resolve) => {
      const off = conn.on("pong", () => {
        off();
        resolve();
      });
    });
    await conn.ping(`round ${i}`);
    await received;
    if (i >= 5) samples.push(performance.now() - start);
  }
  return latency(samples);
}

/** One long turn watched by `clients` connections of the same user: deliveries per second across all of them. */
async function measureFanout(
  connect: () => Conn,
  driver: Conn,
  threadId: string,
  settings: AgentBenchSettings,
) {
  const conns = Array.from({ length: settings.clients }, connect);
  const received = conns.map(() => [] as number[]);
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  try {
    await Promise.all(conns.map((c) => c.whoami()));
    let finished = 0;
    const allDone = new Promise<void>((resolve) => {
      conns.forEach((c, i) => {
        c.on("event", (event: WireEvent) => {
          if (event.threadId !== threadId) return;
          const now = performance.now();
          first = Math.min(first, now);
          last = Math.max(last, now);
          received[i]?.push(event.seq);
          if (
            event.type.startsWith("turn.") &&
            event.type !== "turn.started" &&
            ++finished === conns.length
          ) {
            resolve();
          }
        });
      });
    });
    await driver.sendMessage(threadId, `fan out [[words:${settings.fanoutWords}]]`);
    await allDone;
  } finally {
    await Promise.all(conns.map((c) => c.dispose()));
  }
  const expected = received[0]?.length ?? 0;
  const complete = received.every(
    (seqs) =>
      seqs.length === expected &&
      seqs.every((seq, i) => seq === (received[0]?.[i] ?? -1)) &&
      isConsecutive(seqs),
  );
  const deliveries = received.reduce((sum, seqs) => sum + seqs.length, 0);
  const seconds = (last - first) / 1_000;
  return {
    clients: settings.clients,
    eventsPerTurn: expected,
    deliveries,
    seconds: Math.round(seconds * 1_000) / 1_000,
    eventsPerSecond: seconds > 0 ? Math.round(deliveries / seconds) : 0,
    complete,
  };
}

const isConsecutive = (seqs: number[]) => seqs.every((seq, i) => i === 0 || seq === (seqs[i - 1] ?? 0) + 1);

export function formatAgentBench(result: AgentBenchResult): string {
  const { firstDelta: f, broadcastRoundTrip: b, fanout } = result;
  return [
    "Grow Agent streaming (dev/model, real actor and database)",
    `  model first delta → client receipt: p50 ${f.p50} ms, p99 ${f.p99} ms (n=${f.n}; target p99 < ${result.firstDeltaTargetMs} ms: ${result.pass ? "pass" : "FAIL"})`,
    `  baseline, action → own broadcast received: p50 ${b.p50} ms, p99 ${b.p99} ms`,
    `  fan-out: ${fanout.eventsPerTurn} events × ${fanout.clients} clients = ${fanout.deliveries} deliveries in ${fanout.seconds} s → ${fanout.eventsPerSecond} events/s; every client complete and in order: ${fanout.complete}`,
  ].join("\n");
}
