import net from "node:net";
import { createClient } from "rivetkit/client";
import type { Registry } from "../../worker/src/actors/registry";

/** The typed RivetKit client the SPA and API consumers use, pointed at a stack's `/api/rivet`. */
export const actorClient = (apiUrl: string) => createClient<Registry>({ endpoint: `${apiUrl}/api/rivet` });

/** The RivetKit error code a refused call or connection surfaced, whatever the transport. */
export const errorCode = (error: unknown): string | undefined =>
  (error as { code?: string } | undefined)?.code;

/**
 * A loopback TCP relay in front of the API whose open sockets can be cut, to make a live client lose its
 * connection the way a network drop does (the client then reconnects on its own).
 */
export async function startDroppableRelay(apiUrl: string) {
  const target = new URL(apiUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port), target.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `check` passes, polling; rejects with its last error after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
