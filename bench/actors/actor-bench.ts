import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ActorConn, createClient } from "rivetkit/client";
import { freePort } from "../../dev/ports";
import { type ManagedProcess, startProcess, waitForHttp } from "../../dev/processes";
import type { registry, Tick } from "./fixture/registry";
import {
  type ActorBenchResult,
  type ActorBenchSettings,
  type BroadcastResult,
  type FanoutResult,
  formatActorBench,
  settingsFromEnv,
  TARGET_RATIO,
} from "./report";
import { type Comparison, comparison, interleaved, latency, ratio } from "./stats";

export { type ActorBenchResult, formatActorBench };

/**
 * Issue 4's actor benchmark. Starts the fixture Worker (bench/actors/fixture: our RivetKit driver and a
 * plain SQLite-backed DO side by side) with `wrangler dev` on free loopback ports, unless
 * `BENCH_ACTOR_BASE=http://127.0.0.1:P` points at one started by hand, and measures sequential round trips,
 * RivetKit and plain interleaved, through the same client → Worker → DO path.
 */
export async function benchActors(settings = settingsFromEnv()): Promise<ActorBenchResult> {
  const fixture = await startFixture();
  try {
    return await runBench(fixture.base, settings);
  } finally {
    await fixture.stop();
  }
}

async function runBench(base: string, settings: ActorBenchSettings): Promise<ActorBenchResult> {
  const run = crypto.randomUUID().slice(0, 8);
  const client = createClient<typeof registry>({
    endpoint: `${base}/api/rivet`,
    encoding: settings.encoding,
  });
  try {
    const webSocket = await benchWebSocket(base, client, run, settings);
    const http = await benchHttp(base, client, run, settings);
    const broadcast = await benchBroadcast(base, client, run, settings);
    return { settings, targetRatio: TARGET_RATIO, webSocket, http, broadcast };
  } finally {
    // dispose() waits for sockets workerd closes lazily (see test/rivet-driver/driver.test.ts).
    await Promise.race([client.dispose(), sleep(2_000)]);
  }
}

type BenchClient = ReturnType<typeof createClient<typeof registry>>;
type EchoConn = ActorConn<(typeof registry)["config"]["use"]["echo"]>;

async function benchWebSocket(
  base: string,
  client: BenchClient,
  run: string,
  settings: ActorBenchSettings,
): Promise<Comparison> {
  const conn = await connected(client.echo.getOrCreate([`ws-${run}`]).connect());
  const plain = await PlainSocket.open(`${base.replace(/^http/, "ws")}/plain/ws/ws-${run}`);
  try {
    const rivetEcho = async (i: number) => expectEcho(await conn.echo(i), i);
    const plainEcho = async (i: number) => expectEcho(Number(await plain.roundTrip(String(i))), i);
    await interleaved(settings.warmup, rivetEcho, plainEcho);
    const { a, b } = await interleaved(settings.samples, rivetEcho, plainEcho);
    return comparison(a, b, TARGET_RATIO);
  } finally {
    plain.close();
    await Promise.race([conn.dispose(), sleep(2_000)]);
  }
}

async function benchHttp(
  base: string,
  client: BenchClient,
  run: string,
  settings: ActorBenchSettings,
): Promise<Comparison> {
  // One handle: it resolves the actor id once (get-or-create), then every action is one POST to the gateway.
  const handle = client.echo.getOrCreate([`http-${run}`]);
  const rivetEcho = async (i: number) => expectEcho(await handle.echo(i), i);
  const plainEcho = async (i: number) => {
    const response = await fetch(`${base}/plain/rpc/http-${run}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(i),
    });
    if (!response.ok) throw new Error(`plain RPC: ${response.status}`);
    expectEcho(await response.json(), i);
  };
  await interleaved(settings.warmup, rivetEcho, plainEcho);
  const { a, b } = await interleaved(settings.samples, rivetEcho, plainEcho);
  return comparison(a, b, TARGET_RATIO);
}

/**
 * `clients` connections subscribe to "tick" on one actor, and as many raw sockets to one PlainEcho; a
 * separate connection (socket) publishes one event at a time, RivetKit and plain alternating, and each event
 * is awaited at all clients (or 5 s) before the next. The clock is this process's, so send and receive
 * times compare directly; client-side decoding (RivetKit's protocol vs JSON.parse) is part of delivery.
 */
async function benchBroadcast(
  base: string,
  client: BenchClient,
  run: string,
  settings: ActorBenchSettings,
): Promise<BroadcastResult> {
  const rivet = new Deliveries(settings.clients);
  const plain = new Deliveries(settings.clients);
  const closers: Array<() => Promise<void>> = [];
  try {
    const rivetPublish = await rivetFanout(client, [`broadcast-${run}`], settings.clients, rivet, closers);
    const plainPublish = await plainFanout(
      `${base.replace(/^http/, "ws")}/plain/ws/broadcast-${run}`,
      settings.clients,
      plain,
      closers,
    );
    const publishBoth = async (seq: number) => {
      const sides = [() => rivet.publish(seq, rivetPublish), () => plain.publish(seq, plainPublish)];
      for (const side of seq % 2 === 0 ? sides : sides.reverse()) await side();
    };

    // Subscriptions are messages on each socket: wait until one event reaches every client, then warm up.
    let seq = -1;
    for (let attempt = 0; attempt < 20; attempt++) {
      if ((await rivet.publish(seq--, rivetPublish)).length >= settings.clients) break;
    }
    for (let i = 0; i < 5; i++) await publishBoth(seq--);

    for (let event = 0; event < settings.broadcasts; event++) await publishBoth(event);
    // Anything that arrives late, or twice, still counts against completeness.
    await sleep(200);
    const rivetResult = rivet.summary(settings.broadcasts);
    const plainResult = plain.summary(settings.broadcasts);
    return {
      clients: settings.clients,
      events: settings.broadcasts,
      expected: settings.clients * settings.broadcasts,
      rivet: rivetResult,
      plain: plainResult,
      p50Ratio: ratio(rivetResult.deliveryMs.p50, plainResult.deliveryMs.p50),
      p99Ratio: ratio(rivetResult.deliveryMs.p99, plainResult.deliveryMs.p99),
    };
  } finally {
    await Promise.all(closers.map((close) => close()));
  }
}

/** Who received which event when, for one side of the broadcast benchmark. */
class Deliveries {
  readonly #received = new Map<number, number[]>();
  #waiter: (() => void) | undefined;

  constructor(private readonly clients: number) {}

  deliver(tick: Tick): void {
    const at = performance.now();
    const times = this.#received.get(tick.seq) ?? [];
    times.push(at - tick.sentAt);
    this.#received.set(tick.seq, times);
    this.#waiter?.();
  }

  /** Publishes event `seq` and waits until every client has it (or 5 s); returns its delivery times. */
  async publish(seq: number, send: (tick: Tick) => Promise<void>): Promise<number[]> {
    const all = new Promise<void>((resolve) => {
      this.#waiter = () => {
        if ((this.#received.get(seq)?.length ?? 0) >= this.clients) resolve();
      };
    });
    await send({ seq, sentAt: performance.now() });
    await Promise.race([all, sleep(5_000)]);
    this.#waiter = undefined;
    return this.#received.get(seq) ?? [];
  }

  /** Events 0 … events-1 (warm-up events have negative numbers). */
  summary(events: number): FanoutResult {
    const all: number[] = [];
    const last: number[] = [];
    for (let seq = 0; seq < events; seq++) {
      const times = this.#received.get(seq) ?? [];
      all.push(...times);
      if (times.length > 0) last.push(Math.max(...times));
    }
    return {
      delivered: all.length,
      complete: all.length === events * this.clients,
      deliveryMs: latency(all),
      lastDeliveryMs: latency(last),
    };
  }
}

/** `clients` RivetKit connections subscribed to "tick", and a publisher connection calling `broadcast`. */
async function rivetFanout(
  client: BenchClient,
  key: string[],
  clients: number,
  deliveries: Deliveries,
  closers: Array<() => Promise<void>>,
): Promise<(tick: Tick) => Promise<void>> {
  const open = async () => {
    const conn = client.echo.getOrCreate(key).connect();
    closers.push(() => Promise.race([conn.dispose(), sleep(2_000)]));
    return connected(conn);
  };
  for (let i = 0; i < clients; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, clients - i) }, open));
    for (const conn of batch) conn.on("tick", (tick: Tick) => deliveries.deliver(tick));
  }
  const publisher = await open();
  return async (tick) => {
    await publisher.broadcast(tick);
  };
}

/** `clients` raw sockets subscribed to PlainEcho's fan-out, and a publisher socket (see fixture/worker.ts). */
async function plainFanout(
  url: string,
  clients: number,
  deliveries: Deliveries,
  closers: Array<() => Promise<void>>,
): Promise<(tick: Tick) => Promise<void>> {
  const open = async () => {
    const socket = await PlainSocket.open(url);
    closers.push(async () => socket.close());
    return socket;
  };
  for (let i = 0; i < clients; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, clients - i) }, open));
    for (const socket of batch) {
      if ((await socket.roundTrip("sub")) !== "sub-ok") throw new Error("PlainEcho did not subscribe");
      socket.onMessage = (data) => deliveries.deliver(JSON.parse(data) as Tick);
    }
  }
  const publisher = await open();
  return async (tick) => {
    if ((await publisher.roundTrip(`pub:${JSON.stringify(tick)}`)) !== "pub-ok") {
      throw new Error("PlainEcho did not publish");
    }
  };
}

/** Resolves once RivetKit's Init message has arrived on the connection. */
async function connected(conn: EchoConn, timeoutMs = 15_000): Promise<EchoConn> {
  if (conn.connStatus === "connected") return conn;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("RivetKit connection did not open")), timeoutMs);
    const off = conn.onOpen(() => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
  return conn;
}

function expectEcho(output: unknown, sent: number): void {
  if (output !== sent) throw new Error(`echo answered ${JSON.stringify(output)} to ${sent}`);
}

/**
 * A raw WebSocket to PlainEcho; one message in flight at a time. Node's global WebSocket (undici), the
 * class RivetKit's client picks in Node 22, so both sides use the same client implementation (`ws` was
 * ~0.04 ms slower per round trip here, which would have flattered the ratio).
 */
class PlainSocket {
  #pending: ((data: string) => void) | undefined;
  /** Messages nobody awaits with roundTrip (broadcast events). */
  onMessage: (data: string) => void = () => {};

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const pending = this.#pending;
      this.#pending = undefined;
      if (pending) pending(String(event.data));
      else this.onMessage(String(event.data));
    });
  }

  static async open(url: string): Promise<PlainSocket> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`WebSocket ${url} failed`)), { once: true });
    });
    return new PlainSocket(socket);
  }

  roundTrip(message: string): Promise<string> {
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.socket.send(message);
    });
  }

  close(): void {
    this.socket.close();
  }
}

interface Fixture {
  base: string;
  stop(): Promise<void>;
}

/** `wrangler dev` of bench/actors/fixture on free ports, state and log in a temp dir (as test/rivet-driver). */
async function startFixture(): Promise<Fixture> {
  const reuse = process.env.BENCH_ACTOR_BASE;
  if (reuse) return { base: reuse.replace(/\/+$/, ""), stop: async () => {} };

  const dir = mkdtempSync(path.join(tmpdir(), "growqr-actor-bench-"));
  const logFile = path.join(dir, "wrangler.log");
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const root = path.resolve(import.meta.dirname, "../..");
  const server: ManagedProcess = startProcess(
    "actor-bench-fixture",
    path.join(root, "node_modules/.bin/wrangler"),
    [
      "dev",
      ...["-c", path.join(import.meta.dirname, "fixture/wrangler.toml")],
      ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)],
      ...["--persist-to", path.join(dir, "state"), "--show-interactive-dev-session=false"],
      ...["--log-level", "warn"],
    ],
    {
      cwd: root,
      env: { CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      log: (line) => appendFileSync(logFile, `${line}\n`),
    },
  );
  const stop = async () => {
    await server.stop();
    if (!process.env.BENCH_ACTOR_KEEP_LOGS) rmSync(dir, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/health`, { timeoutMs: 90_000 });
  } catch (error) {
    await server.stop();
    throw new Error(`actor bench fixture (wrangler dev) did not start; see ${logFile}`, { cause: error });
  }
  return { base, stop };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
