import { createServer, type IncomingMessage, type Server } from "node:http";
import net from "node:net";
import { WebSocketServer } from "ws";
import { RoundTripCounter } from "./round-trip-counter";
import { sqlOverHttp } from "./sql-over-http";

export interface WsProxy {
  /** `host:port` to put in `DB_WS_PROXY`. */
  address: string;
  port: number;
  /** Connections opened and database round trips asked for through this proxy so far (also `GET /stats`). */
  stats(): WsProxyStats;
  close(): Promise<void>;
}

export interface WsProxyStats {
  /** WebSocket connections opened. */
  connections: number;
  /** Queries over HTTP (`POST /sql`), each one round trip. */
  httpQueries: number;
  /** Round trips over both transports. */
  roundTrips: number;
}

export interface WsProxyOptions {
  port?: number;
  /** Database URLs whose host:port may be dialled; anything else is refused, so this is no open relay. */
  allowedTargets: string[];
  log?: (line: string) => void;
}

/**
 * A web page can make a browser send requests to a loopback port under a name it controls (DNS rebinding); the
 * driver always names the proxy by a loopback address, so any other `Host` is refused.
 */
const fromLoopbackName = (request: IncomingMessage) =>
  /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(request.headers.host ?? "");

const targetOf = (databaseUrl: string) => {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || "5432"}`;
};

/**
 * The local stand-in for Neon's proxy. Its WebSocket transport: the Neon serverless driver sends raw Postgres
 * protocol bytes over a WebSocket to `/?address=host:port`, and this pipes them to that TCP address and back.
 * Its HTTP transport, `POST /sql`: see sql-over-http.ts.
 */
export async function startWsProxy(options: WsProxyOptions): Promise<WsProxy> {
  const allowed = new Set(options.allowedTargets.map(targetOf));
  let connections = 0;
  const counters = new Set<RoundTripCounter>();
  let closedRoundTrips = 0;
  const sql = sqlOverHttp({ allowedTargets: options.allowedTargets });
  const stats = (): WsProxyStats => ({
    connections,
    httpQueries: sql.requests(),
    roundTrips:
      closedRoundTrips + sql.requests() + [...counters].reduce((sum, counter) => sum + counter.count, 0),
  });
  // Loopback only (listen below): the counts are for tests and the bench, never exposed beyond this machine.
  const server: Server = createServer((req, res) => {
    if (!fromLoopbackName(req)) {
      res.writeHead(403, { "content-type": "text/plain" }).end("loopback names only\n");
      return;
    }
    if (req.url === "/stats") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats()));
      return;
    }
    if (req.url === "/sql") {
      void sql.handle(req, res);
      return;
    }
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket upgrade required\n");
  });
  const wss = new WebSocketServer({
    server,
    // WebSockets have no CORS: a page the developer visits could open one to this port and speak Postgres to the
    // dev database. Browsers always send `Origin`; the driver (workerd, Node) never does.
    verifyClient: ({ req }: { req: IncomingMessage }) => fromLoopbackName(req) && !req.headers.origin,
  });
  // The server's own errors (e.g. EADDRINUSE) reach the caller through listen below; ws re-emits them here too.
  wss.on("error", () => {});

  wss.on("connection", (socket, request) => {
    const address = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    if (!allowed.has(address)) {
      options.log?.(`refused connection to ${address || "(no address)"}`);
      socket.close(1008, "target not allowed");
      return;
    }
    const [host, port] = [
      address.slice(0, address.lastIndexOf(":")),
      address.slice(address.lastIndexOf(":") + 1),
    ];
    const tcp = net.connect({ host, port: Number(port) });
    tcp.setNoDelay(true);
    connections += 1;
    const counter = new RoundTripCounter();
    counters.add(counter);
    tcp.on("close", () => {
      counters.delete(counter);
      closedRoundTrips += counter.count;
    });
    // Bytes may arrive from the driver before the TCP connect completes; net.Socket buffers writes until then.
    socket.on("message", (data: Buffer) => {
      counter.push(data);
      tcp.write(data);
    });
    tcp.on("data", (chunk) => socket.readyState === socket.OPEN && socket.send(chunk));
    tcp.on("error", (error) => {
      options.log?.(`database connection error: ${error.message}`);
      socket.close(1011, "database unreachable");
    });
    tcp.on("close", () => socket.readyState === socket.OPEN && socket.close());
    socket.on("close", () => tcp.destroy());
    socket.on("error", () => tcp.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    port,
    stats,
    close: async () => {
      await new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sql.close();
    },
  };
}
