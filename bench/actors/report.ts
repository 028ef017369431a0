import type { Comparison, Latency } from "./stats";

/** Issue 4's target: RivetKit's round trip at most 1.5× the plain Durable Object's, at p50 and p99. */
export const TARGET_RATIO = 1.5;

export type Encoding = "bare" | "cbor" | "json";

export interface ActorBenchSettings {
  /** Timed round trips per side (BENCH_ACTOR_SAMPLES). */
  samples: number;
  /** Untimed round trips per side first (BENCH_ACTOR_WARMUP). */
  warmup: number;
  /** RivetKit client encoding (BENCH_ACTOR_ENCODING); `bare` is RivetKit's default. */
  encoding: Encoding;
  /** Connections subscribed to the broadcast (BENCH_ACTOR_CLIENTS). */
  clients: number;
  /**
   * Events broadcast, one after another (BENCH_ACTOR_BROADCASTS). The clients of one event are delivered
   * together, so with few events p99 over all deliveries is just the single slowest event.
   */
  broadcasts: number;
}

/** One side of the broadcast benchmark. */
export interface FanoutResult {
  delivered: number;
  /** Every client got every event. */
  complete: boolean;
  /** Publisher calls broadcast → a client has the event, over every delivery. */
  deliveryMs: Latency;
  /** Publisher calls broadcast → the last of the clients has it, per event. */
  lastDeliveryMs: Latency;
}

export interface BroadcastResult {
  clients: number;
  events: number;
  /** clients × events, per side. */
  expected: number;
  /** RivetKit `c.broadcast("tick", …)` to subscribed connections. */
  rivet: FanoutResult;
  /** PlainEcho sending to each of its raw sockets, for comparison (no target). */
  plain: FanoutResult;
  p50Ratio: number;
  p99Ratio: number;
}

export interface ActorBenchResult {
  settings: ActorBenchSettings;
  targetRatio: number;
  /** Action over an open RivetKit connection vs echo over a plain DO WebSocket. */
  webSocket: Comparison;
  /** Stateless RivetKit HTTP action vs a Worker → DO RPC per request. */
  http: Comparison;
  broadcast: BroadcastResult;
}

/** Defaults: 2000 samples after 200 warm-up round trips per side, bare encoding, 200 events to 100 clients. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ActorBenchSettings {
  const encoding = env.BENCH_ACTOR_ENCODING ?? "bare";
  if (encoding !== "bare" && encoding !== "cbor" && encoding !== "json") {
    throw new Error(`BENCH_ACTOR_ENCODING must be bare, cbor or json, not ${encoding}`);
  }
  return {
    samples: Number(env.BENCH_ACTOR_SAMPLES ?? 2000),
    warmup: Number(env.BENCH_ACTOR_WARMUP ?? 200),
    encoding,
    clients: Number(env.BENCH_ACTOR_CLIENTS ?? 100),
    broadcasts: Number(env.BENCH_ACTOR_BROADCASTS ?? 200),
  };
}

export function formatActorBench(result: ActorBenchResult): string {
  const { settings, targetRatio, webSocket, http, broadcast } = result;
  const ms = (value: number) => value.toFixed(3).padStart(8);
  const row = (name: string, p: Latency) =>
    `${name.padEnd(40)} n=${String(p.n).padStart(5)}  p50 ${ms(p.p50)} ms  p99 ${ms(p.p99)} ms`;
  const delta = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(3)}`;
  const verdict = (name: string, c: Comparison) =>
    `${name.padEnd(40)} p50 ${c.p50Ratio.toFixed(2)}× (${delta(c.p50DeltaMs)} ms)  p99 ${c.p99Ratio.toFixed(2)}× (${delta(c.p99DeltaMs)} ms)  target ≤ ${targetRatio}×: ${c.pass ? "PASS" : "MISS"}`;
  return [
    `actors: RivetKit (${settings.encoding} encoding) vs plain Durable Object, same Worker, interleaved`,
    row("actor: action over open WebSocket", webSocket.rivet),
    row("plain DO: WebSocket echo", webSocket.plain),
    verdict("  WebSocket RivetKit / plain", webSocket),
    row("actor: stateless HTTP action", http.rivet),
    row("plain DO: Worker → DO RPC per request", http.plain),
    verdict("  HTTP RivetKit / plain", http),
    row(`actor: broadcast → ${broadcast.clients} clients, each`, broadcast.rivet.deliveryMs),
    row("actor: broadcast → last client of event", broadcast.rivet.lastDeliveryMs),
    row(`plain DO: send to ${broadcast.clients} sockets, each`, broadcast.plain.deliveryMs),
    row("plain DO: send → last client of event", broadcast.plain.lastDeliveryMs),
    `${"  broadcast RivetKit / plain".padEnd(40)} p50 ${broadcast.p50Ratio.toFixed(2)}×  p99 ${broadcast.p99Ratio.toFixed(2)}×  (no target)`,
    `  delivered: RivetKit ${completeness(broadcast.rivet, broadcast.expected)}, plain ${completeness(broadcast.plain, broadcast.expected)} (${broadcast.events} events × ${broadcast.clients} clients)`,
  ].join("\n");
}

const completeness = (side: FanoutResult, expected: number) =>
  `${side.delivered}/${expected}${side.complete ? "" : " INCOMPLETE"}`;
