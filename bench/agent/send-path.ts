import { performance } from "node:perf_hooks";
import type { LocalStack } from "../../dev/stack";
import { type Latency, latency } from "../actors/stats";
import { benchUser } from "./bench-user";

interface PathFigures {
  /** Send → the client has the turn's `turn.started` event. */
  toTurnStarted: Latency;
  /** Send → the send's own answer (202 or the action's result). */
  acknowledged: Latency;
  /** Database round trips from the send to its answer, counted by the stack's Neon proxy (mean per send). */
  roundTripsToAck: number;
  /** The same for the whole turn, send to `turn.completed` (storing the message, events, usage). */
  roundTripsPerTurn: number;
}

export interface SendPathResult {
  sends: number;
  rest: PathFigures;
  live: PathFigures;
}

interface WireEvent {
  threadId: string;
  type: string;
}

const WARM_UP = 5;

/** Round trips so far through the stack's Neon WebSocket proxy (schema/ws-proxy.ts, `GET /stats`). */
async function roundTrips(stack: LocalStack): Promise<number> {
  return ((await (await fetch(`http://${stack.wsProxy}/stats`)).json()) as { roundTrips: number }).roundTrips;
}

/**
 * What one chat message costs on each command path: REST (API consumers) and the SPA's live connection. Sequential
 * one-word turns on a thread each, with a connection listening for the events, as the SPA does.
 */
export async function benchSendPath(stack: LocalStack, sends = Number(process.env.BENCH_SENDS ?? 40)) {
  const { headers: authed, newThread, client, connect } = await benchUser(stack, "bench-send");
  const conn = connect();
  try {
    await conn.whoami();
    const restThread = await newThread();
    const rest = await measurePath(stack, conn, restThread, sends, async (text) => {
      const response = await fetch(`${stack.apiUrl}/api/threads/${restThread}/messages`, {
        method: "POST",
        headers: authed,
        body: JSON.stringify({ text }),
      });
      if (response.status !== 202) throw new Error(`REST send answered ${response.status}`);
      await response.body?.cancel();
    });
    const liveThread = await newThread();
    const live = await measurePath(stack, conn, liveThread, sends, async (text) => {
      await conn.sendMessage(liveThread, text);
    });
    return { sends, rest, live } satisfies SendPathResult;
  } finally {
    await conn.dispose();
    await client.dispose();
  }
}

type Conn = { on(event: "event", listener: (event: WireEvent) => void): () => void };

async function measurePath(
  stack: LocalStack,
  conn: Conn,
  threadId: string,
  sends: number,
  send: (text: string) => Promise<void>,
): Promise<PathFigures> {
  const started: number[] = [];
  const acked: number[] = [];
  let toAck = 0;
  let perTurn = 0;
  for (let i = 0; i < sends + WARM_UP; i++) {
    let startedAt: number | undefined;
    const ended = new Promise<void>((resolve) => {
      const off = conn.on("event", (event) => {
        if (event.threadId !== threadId) return;
        if (event.type === "turn.started") startedAt ??= performance.now();
        if (event.type.startsWith("turn.") && event.type !== "turn.started") {
          off();
          resolve();
        }
      });
    });
    const before = await roundTrips(stack);
    const t0 = performance.now();
    await send(`send ${i} [[words:1]]`);
    const ackAt = performance.now();
    const atAck = await roundTrips(stack);
    await ended;
    const after = await roundTrips(stack);
    if (i < WARM_UP || startedAt === undefined) continue;
    started.push(startedAt - t0);
    acked.push(ackAt - t0);
    toAck += atAck - before;
    perTurn += after - before;
  }
  const n = started.length;
  return {
    toTurnStarted: latency(started),
    acknowledged: latency(acked),
    roundTripsToAck: Math.round((toAck / n) * 10) / 10,
    roundTripsPerTurn: Math.round((perTurn / n) * 10) / 10,
  };
}

export function formatSendPath(result: SendPathResult): string {
  const row = (name: string, p: PathFigures) =>
    `  ${name}: send → turn.started p50 ${p.toTurnStarted.p50} ms, p99 ${p.toTurnStarted.p99} ms; answered p50 ${p.acknowledged.p50} ms; DB round trips to the answer ${p.roundTripsToAck}, per turn ${p.roundTripsPerTurn}`;
  return [
    `Send path (${result.sends} sequential one-word turns per path; round trips counted at the Neon proxy)`,
    row("REST POST /threads/{id}/messages", result.rest),
    row("live connection sendMessage    ", result.live),
  ].join("\n");
}
