import { onTicks, openAgent } from "./agents-peer";
import { type BenchClient, connected, PlainSocket, sleep } from "./connections";
import type { Tick } from "./fixture/registry";
import { type ActorBenchSettings, type BroadcastResult, TARGETS } from "./report";
import { type Latency, latency, peerComparison, roundOrder, type Side } from "./stats";

type Publish = (tick: Tick) => Promise<void>;

/**
 * `clients` connections subscribe on each side (RivetKit connections to "tick" on one actor, AgentClients of one
 * Agent, raw sockets of one PlainEcho); a separate connection per side publishes one event at a time, the sides
 * in rotating order, and each event is awaited at all clients (or 5 s) before the next. The clock is this
 * process's, so send and receive times compare directly; client-side decoding (RivetKit's protocol, the Agents
 * SDK's and our JSON.parse) is part of delivery.
 */
export async function benchBroadcast(
  base: string,
  client: BenchClient,
  run: string,
  settings: ActorBenchSettings,
): Promise<BroadcastResult> {
  const sides: Side[] = ["rivet", "agents", "plain"];
  const deliveries = {
    rivet: new Deliveries(settings.clients),
    agents: new Deliveries(settings.clients),
    plain: new Deliveries(settings.clients),
  };
  const closers: Array<() => Promise<void>> = [];
  try {
    const key = `broadcast-${run}`;
    const publishers: Record<Side, Publish> = {
      rivet: await rivetFanout(client, [key], settings.clients, deliveries.rivet, closers),
      agents: await agentsFanout(base, key, settings.clients, deliveries.agents, closers),
      plain: await plainFanout(
        `${base.replace(/^http/, "ws")}/plain/ws/${key}`,
        settings.clients,
        deliveries.plain,
        closers,
      ),
    };
    const publishAll = async (seq: number) => {
      for (const side of roundOrder(sides, seq)) await deliveries[side].publish(seq, publishers[side]);
    };

    // Subscriptions are messages on each socket: wait until one event reaches every client, then warm up.
    let seq = -1;
    for (const side of sides) {
      for (let attempt = 0; attempt < 20; attempt++) {
        if ((await deliveries[side].publish(seq--, publishers[side])).length >= settings.clients) break;
      }
    }
    for (let i = 0; i < 5; i++) await publishAll(seq--);

    for (let event = 0; event < settings.broadcasts; event++) await publishAll(event);
    // Anything that arrives late, or twice, still counts against completeness.
    await sleep(200);
    const summary = {
      rivet: deliveries.rivet.summary(settings.broadcasts),
      agents: deliveries.agents.summary(settings.broadcasts),
      plain: deliveries.plain.summary(settings.broadcasts),
    };
    const pick = (of: (s: FanoutSummary) => Latency) => ({
      rivet: of(summary.rivet),
      agents: of(summary.agents),
      plain: of(summary.plain),
    });
    return {
      clients: settings.clients,
      events: settings.broadcasts,
      expected: settings.clients * settings.broadcasts,
      delivered: {
        rivet: summary.rivet.delivered,
        agents: summary.agents.delivered,
        plain: summary.plain.delivered,
      },
      each: peerComparison(
        pick((s) => s.deliveryMs),
        TARGETS,
      ),
      last: peerComparison(
        pick((s) => s.lastDeliveryMs),
        TARGETS,
      ),
    };
  } finally {
    await Promise.all(closers.map((close) => close()));
  }
}

interface FanoutSummary {
  delivered: number;
  deliveryMs: Latency;
  lastDeliveryMs: Latency;
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
  summary(events: number): FanoutSummary {
    const all: number[] = [];
    const last: number[] = [];
    for (let seq = 0; seq < events; seq++) {
      const times = this.#received.get(seq) ?? [];
      all.push(...times);
      if (times.length > 0) last.push(Math.max(...times));
    }
    return {
      delivered: all.length,
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
): Promise<Publish> {
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

/** `clients` AgentClients of one Agent (every connection gets `this.broadcast`), and a publisher client. */
async function agentsFanout(
  base: string,
  name: string,
  clients: number,
  deliveries: Deliveries,
  closers: Array<() => Promise<void>>,
): Promise<Publish> {
  const open = async () => {
    const agent = await openAgent(base, name);
    closers.push(async () => agent.close());
    return agent;
  };
  for (let i = 0; i < clients; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, clients - i) }, open));
    for (const agent of batch) onTicks(agent, (tick) => deliveries.deliver(tick));
  }
  const publisher = await open();
  return async (tick) => {
    await publisher.call("publish", [tick]);
  };
}

/** `clients` raw sockets subscribed to PlainEcho's fan-out, and a publisher socket (see fixture/worker.ts). */
async function plainFanout(
  url: string,
  clients: number,
  deliveries: Deliveries,
  closers: Array<() => Promise<void>>,
): Promise<Publish> {
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
