import type { Latency, PeerComparison, Side, Targets, Versus } from "./stats";

/**
 * Issue 22's targets (they supersede issue 4's ≤ 1.5× the plain DO): GrowQR's RivetKit actors at most as slow as
 * the Cloudflare Agents SDK doing the same thing, and at most 1.3× a plain Durable Object, at p50 and p99.
 */
export const TARGETS: Targets = { agents: 1.0, plain: 1.3 };

export type Encoding = "bare" | "cbor" | "json";

export interface ActorBenchSettings {
  /** Timed round trips per side (BENCH_ACTOR_SAMPLES). */
  samples: number;
  /** Untimed round trips per side first (BENCH_ACTOR_WARMUP). */
  warmup: number;
  /** RivetKit client encoding (BENCH_ACTOR_ENCODING); `bare` is RivetKit's default. */
  encoding: Encoding;
  /** Connections subscribed to the broadcast, per side (BENCH_ACTOR_CLIENTS). */
  clients: number;
  /**
   * Events broadcast, one after another (BENCH_ACTOR_BROADCASTS). The clients of one event are delivered
   * together, so with few events p99 over all deliveries is just the single slowest event.
   */
  broadcasts: number;
}

export interface BroadcastResult {
  clients: number;
  events: number;
  /** clients × events, per side. */
  expected: number;
  /** Deliveries counted per side (late or duplicate ones included). */
  delivered: Record<Side, number>;
  /** Publisher calls broadcast → a client has the event, over every delivery. */
  each: PeerComparison;
  /** Publisher calls broadcast → the last of the clients has it, per event. */
  last: PeerComparison;
}

export interface ActorBenchResult {
  settings: ActorBenchSettings;
  targets: Targets;
  /** RivetKit action over an open connection vs Agents SDK callable over AgentClient vs plain DO WebSocket echo. */
  webSocket: PeerComparison;
  /** Stateless RivetKit HTTP action vs Agents SDK `onRequest` vs a Worker → DO RPC per request. */
  http: PeerComparison;
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
  const { settings, webSocket, http, broadcast } = result;
  const ms = (value: number) => value.toFixed(3).padStart(8);
  const row = (name: string, p: Latency) =>
    `${name.padEnd(44)} n=${String(p.n).padStart(5)}  p50 ${ms(p.p50)} ms  p99 ${ms(p.p99)} ms`;
  const delta = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(3)}`;
  const verdict = (name: string, v: Versus) =>
    `${`  GrowQR / ${name}`.padEnd(44)} p50 ${v.p50Ratio.toFixed(2)}× (${delta(v.p50DeltaMs)} ms)  p99 ${v.p99Ratio.toFixed(2)}× (${delta(v.p99DeltaMs)} ms)  target ≤ ${v.target.toFixed(1)}×: ${v.pass ? "PASS" : "MISS"}`;
  const block = (names: Record<Side, string>, c: PeerComparison) => [
    row(`GrowQR: ${names.rivet}`, c.rivet),
    row(`Agents SDK: ${names.agents}`, c.agents),
    row(`plain DO: ${names.plain}`, c.plain),
    verdict("Agents SDK", c.vsAgents),
    verdict("plain DO", c.vsPlain),
  ];
  const n = broadcast.clients;
  const delivered = (side: Side, name: string) =>
    `${name} ${broadcast.delivered[side]}/${broadcast.expected}${broadcast.delivered[side] === broadcast.expected ? "" : " INCOMPLETE"}`;
  return [
    `actors: GrowQR (RivetKit, ${settings.encoding} encoding) vs Cloudflare Agents SDK vs plain Durable Object, same Worker, interleaved`,
    ...block(
      {
        rivet: "action over open WebSocket",
        agents: "callable over AgentClient",
        plain: "WebSocket echo",
      },
      webSocket,
    ),
    ...block(
      {
        rivet: "stateless HTTP action",
        agents: "onRequest via agentFetch",
        plain: "Worker → DO RPC per request",
      },
      http,
    ),
    ...block(
      {
        rivet: `broadcast → ${n} clients, each`,
        agents: `broadcast → ${n} clients, each`,
        plain: `send to ${n} sockets, each`,
      },
      broadcast.each,
    ),
    ...block(
      { rivet: "broadcast → last client", agents: "broadcast → last client", plain: "send → last client" },
      broadcast.last,
    ),
    `  delivered: ${delivered("rivet", "GrowQR")}, ${delivered("agents", "Agents SDK")}, ${delivered("plain", "plain")} (${broadcast.events} events × ${n} clients)`,
  ].join("\n");
}
