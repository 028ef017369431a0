import { AgentClient, agentFetch } from "agents/client";
import type { EchoAgent } from "./fixture/echo-agent";
import type { Tick } from "./fixture/registry";

/**
 * The bench's side of the Cloudflare Agents SDK peer (fixture/echo-agent.ts), through the SDK's own client
 * (`agents/client`), as an app built on the SDK would use it. What that client does per call, and GrowQR's
 * RivetKit client does not: a JSON `rpc` frame with a fresh `crypto.randomUUID()` id and a 30 s timeout timer
 * per `call`; every frame JSON-parsed once by the client and once more here for broadcasts. On connect the
 * Agent sends its identity (and state) frames; `ready` waits for them.
 */
export type EchoAgentClient = AgentClient<EchoAgent>;

const AGENT = "EchoAgent";

/** An `AgentClient` connected to `/agents/echo-agent/<name>`, identity received. */
export async function openAgent(base: string, name: string, timeoutMs = 15_000): Promise<EchoAgentClient> {
  const client = new AgentClient<EchoAgent>({ agent: AGENT, name, host: new URL(base).host, protocol: "ws" });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ready,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("Agents SDK connection did not open")), timeoutMs);
      }),
    ]);
  } catch (error) {
    client.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** One `onRequest` round trip with the SDK's `agentFetch`: POST the JSON value, get it back. */
export async function agentHttpEcho(base: string, name: string, value: unknown): Promise<unknown> {
  const response = await agentFetch(
    { agent: AGENT, name, host: new URL(base).host, protocol: "http" },
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) },
  );
  if (!response.ok) throw new Error(`Agents SDK onRequest: ${response.status}`);
  return response.json();
}

/** Calls `onTick` for every broadcast tick the client receives (protocol frames carry a `type`, ticks do not). */
export function onTicks(client: EchoAgentClient, onTick: (tick: Tick) => void): void {
  client.addEventListener("message", (event: MessageEvent) => {
    if (typeof event.data !== "string") return;
    const message = JSON.parse(event.data) as Partial<Tick> & { type?: string };
    if (message.type === undefined && typeof message.seq === "number") onTick(message as Tick);
  });
}
