import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import { fetchWithin } from "../platform/with-timeout";

export type Database = NeonDatabase & { $client: Pool };

export interface DbSettings {
  databaseUrl: string;
  /**
   * `host:port` of the local Neon proxy (schema/ws-proxy.ts: WebSockets piped to Postgres, and `/sql`). Set only
   * locally: in production the Neon driver talks to Neon's own endpoints over TLS.
   */
  wsProxy?: string | undefined;
  /**
   * How a query outside a transaction travels (transactions always check a client out over a WebSocket):
   * - `http` (default): one `fetch` to Neon's `/sql` each. For a pool that lives one request or one unit of work,
   *   where a WebSocket would be opened for a query or two.
   * - `websocket`: every query on the pool's WebSocket. For a pool that lives as long as a Durable Object and runs
   *   many queries, where one open socket answers each in a round trip with less work than a `fetch`.
   */
  queriesOver?: "http" | "websocket";
  /** Node has no WebSocket the driver trusts before v22; Node callers pass `ws`. Workers use the global one. */
  webSocketConstructor?: typeof neonConfig.webSocketConstructor;
  /** Fail fast instead of hanging a request when the database is unreachable. */
  connectTimeoutMs?: number;
  /**
   * How long a query over HTTP may take before it counts as the database being unreachable (default 10 s: Neon
   * wakes a suspended compute in well under that, and none of our queries runs for long).
   */
  httpQueryTimeoutMs?: number;
}

/**
 * The one place that decides how the Neon serverless driver connects. The settings are process-global in the
 * driver, so every caller in one isolate must agree; they do, because they all come from the same env.
 */
function configureDriver(settings: DbSettings): void {
  // A query outside a transaction is one HTTP round trip instead of a WebSocket, a Postgres start-up and the
  // query; transactions still check out a client over a WebSocket.
  neonConfig.poolQueryViaFetch = true;
  // A fetch has no timeout of its own: without one a hung endpoint would hold the request until the client gives up.
  // Its timer ends with the query (fetchWithin), so it does not keep a Durable Object in memory afterwards.
  const timeoutMs = settings.httpQueryTimeoutMs ?? 10_000;
  neonConfig.fetchFunction = (input: RequestInfo | URL, init?: RequestInit) =>
    fetchWithin(timeoutMs, (signal) =>
      fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    );
  if (settings.webSocketConstructor) neonConfig.webSocketConstructor = settings.webSocketConstructor;
  if (settings.wsProxy) {
    const proxy = settings.wsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}/?address=${host}:${port}`;
    neonConfig.fetchEndpoint = `http://${proxy}/sql`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

/**
 * A pool for one unit of work. In a Worker that unit is one request: sockets cannot outlive the request that
 * opened them, so callers end the pool when the response is done (see worker/src/db/db.middleware.ts).
 */
export function createDb(settings: DbSettings): Database {
  configureDriver(settings);
  const pool = new Pool({
    connectionString: settings.databaseUrl,
    connectionTimeoutMillis: settings.connectTimeoutMs ?? 5_000,
  });
  // An idle client that loses its socket emits 'error' on the pool; without a listener that would crash the isolate.
  pool.on("error", () => {});
  // The driver sends a pool's queries over HTTP unless the pool has a "connect" (or acquire, release, remove)
  // listener: its documented way to keep one pool on WebSockets while `poolQueryViaFetch` holds for the isolate.
  if (settings.queriesOver === "websocket") pool.on("connect", () => {});
  // Without `schema`: the relational query API is unused, and drizzle would rebuild its relational config from
  // every table on each call, a visible share of a request's CPU since there is one database per request.
  return drizzle({ client: pool }) as Database;
}

/**
 * Runs `work` on a pool of its own and ends the pool after it, for work outside a request's pool (an actor, a
 * Durable Object, a cron run, a stream that outlives its handler).
 */
export async function withDb<T>(settings: DbSettings, work: (db: Database) => Promise<T>): Promise<T> {
  const db = createDb(settings);
  try {
    return await work(db);
  } finally {
    await db.$client.end().catch(() => {});
  }
}
