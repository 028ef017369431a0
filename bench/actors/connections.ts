import type { ActorConn, createClient } from "rivetkit/client";
import type { registry } from "./fixture/registry";

/** The clients the actor benchmark drives GrowQR's side and the plain DO's with (agents-peer.ts: the SDK's). */
export type BenchClient = ReturnType<typeof createClient<typeof registry>>;
export type EchoConn = ActorConn<(typeof registry)["config"]["use"]["echo"]>;

/** Resolves once RivetKit's Init message has arrived on the connection. */
export async function connected(conn: EchoConn, timeoutMs = 15_000): Promise<EchoConn> {
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

/**
 * A raw WebSocket to PlainEcho; one message in flight at a time. Node's global WebSocket (undici), the
 * class RivetKit's client picks in Node 22 (and the Agents SDK's AgentClient, through partysocket), so every
 * side uses the same client implementation (`ws` was ~0.04 ms slower per round trip here, which would have
 * flattered the ratio).
 */
export class PlainSocket {
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
