import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "rivetkit/client";
import { freePort } from "../../dev/ports";
import { type ManagedProcess, startProcess, waitForHttp } from "../../dev/processes";
import { agentHttpEcho, openAgent } from "./agents-peer";
import { benchBroadcast } from "./broadcast-bench";
import { type BenchClient, connected, PlainSocket, sleep } from "./connections";
import type { registry } from "./fixture/registry";
import {
  type ActorBenchResult,
  type ActorBenchSettings,
  formatActorBench,
  settingsFromEnv,
  TARGETS,
} from "./report";
import { interleaved, latency, type PeerComparison, peerComparison, type Side } from "./stats";

export { type ActorBenchResult, formatActorBench };

/**
 * The actor benchmark (issues 4 and 22). Starts the fixture Worker (bench/actors/fixture: our RivetKit driver,
 * the Cloudflare Agents SDK's Agent and a plain SQLite-backed DO side by side) with `wrangler dev` on free
 * loopback ports, unless `BENCH_ACTOR_BASE=http://127.0.0.1:P` points at one started by hand, and measures
 * sequential round trips, the three sides interleaved, through the same client → Worker → DO path.
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
    return { settings, targets: TARGETS, webSocket, http, broadcast };
  } finally {
    // dispose() waits for sockets workerd closes lazily (see test/rivet-driver/driver.test.ts).
    await Promise.race([client.dispose(), sleep(2_000)]);
  }
}

export type Round = (i: number) => Promise<void>;

/** Warm-up rounds, then the timed ones, all three sides interleaved; GrowQR held to both targets. */
async function measureSides(
  settings: ActorBenchSettings,
  sides: Record<Side, Round>,
): Promise<PeerComparison> {
  await interleaved(settings.warmup, sides);
  const samples = await interleaved(settings.samples, sides);
  return peerComparison(
    { rivet: latency(samples.rivet), agents: latency(samples.agents), plain: latency(samples.plain) },
    TARGETS,
  );
}

async function benchWebSocket(
  base: string,
  client: BenchClient,
  run: string,
  settings: ActorBenchSettings,
): Promise<PeerComparison> {
  const paths = await webSocketSides(base, client, run);
  try {
    return await measureSides(settings, paths.sides);
  } finally {
    await paths.close();
  }
}

async function benchHttp(
  base: string,
  client: BenchClient,
  run: string,
  settings: ActorBenchSettings,
): Promise<PeerComparison> {
  return measureSides(settings, httpSides(base, client, run).sides);
}

/** One round trip per side on a path; `close` releases its connections. Shared with paths.main.ts. */
export interface PathSides {
  sides: Record<Side, Round>;
  close(): Promise<void>;
}

/** The WebSocket path: an action over an open RivetKit connection, an Agents SDK callable, a raw DO echo. */
export async function webSocketSides(base: string, client: BenchClient, run: string): Promise<PathSides> {
  const conn = await connected(client.echo.getOrCreate([`ws-${run}`]).connect());
  const agent = await openAgent(base, `ws-${run}`);
  const plain = await PlainSocket.open(`${base.replace(/^http/, "ws")}/plain/ws/ws-${run}`);
  return {
    sides: {
      rivet: async (i) => expectEcho(await conn.echo(i), i),
      agents: async (i) => expectEcho(await agent.call("echo", [i]), i),
      plain: async (i) => expectEcho(Number(await plain.roundTrip(String(i))), i),
    },
    async close() {
      plain.close();
      agent.close();
      await Promise.race([conn.dispose(), sleep(2_000)]);
    },
  };
}

/** The HTTP path: a stateless RivetKit action, an Agents SDK `onRequest`, a Worker → DO RPC. */
export function httpSides(base: string, client: BenchClient, run: string): PathSides {
  // One handle: it resolves the actor id once (get-or-create), then every action is one POST to the gateway.
  const handle = client.echo.getOrCreate([`http-${run}`]);
  return {
    sides: {
      rivet: async (i) => expectEcho(await handle.echo(i), i),
      agents: async (i) => expectEcho(await agentHttpEcho(base, `http-${run}`, i), i),
      plain: async (i) => {
        const response = await fetch(`${base}/plain/rpc/http-${run}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(i),
        });
        if (!response.ok) throw new Error(`plain RPC: ${response.status}`);
        expectEcho(await response.json(), i);
      },
    },
    close: async () => {},
  };
}

function expectEcho(output: unknown, sent: number): void {
  if (output !== sent) throw new Error(`echo answered ${JSON.stringify(output)} to ${sent}`);
}

export interface Fixture {
  base: string;
  /** `wrangler dev`'s inspector (undefined when reusing a fixture started by hand). */
  inspectorUrl?: string;
  stop(): Promise<void>;
}

/** `wrangler dev` of bench/actors/fixture on free ports, state and log in a temp dir (as test/rivet-driver). */
export async function startFixture(): Promise<Fixture> {
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
  return { base, inspectorUrl: `http://127.0.0.1:${inspectorPort}`, stop };
}
