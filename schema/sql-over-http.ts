import type { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";

/**
 * The local half of Neon's HTTP query endpoint (`POST /sql`, what `neon()` and `Pool.query` with
 * `poolQueryViaFetch` send), beside the WebSocket half in ws-proxy.ts. It follows Neon's proxy
 * (proxy/src/serverless/sql_over_http.rs) for the subset the driver uses:
 * - a body `{query, params, arrayMode?}` runs one statement over the extended protocol with text parameters;
 *   `{queries: [...]}` runs them in one transaction (the `Neon-Batch-*` headers set its mode), answered as
 *   `{results: [...]}`;
 * - each result is `{rowAsArray, fields, rows, command, rowCount}` with every value as Postgres' text
 *   (`Neon-Raw-Text-Output: true`, which the driver always sends; the JSON-typed output it does not use is refused);
 * - a Postgres error is a 400 with the error's fields, anything else a 5xx with a message;
 * - connections to Postgres are pooled per credentials, as Neon pools them towards the compute.
 */

/** Neon's defaults for the proxy's request and response size limits. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Credential sets served at once: anyone on loopback may send any, so the pools they open stay bounded. */
const MAX_POOLS = 16;
const ISOLATION_LEVELS: Record<string, string> = {
  Serializable: "SERIALIZABLE",
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
};
const DB_ERROR_FIELDS = [
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "severity",
  "where",
  "table",
  "column",
  "schema",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
// Values stay as Postgres sent them: the driver parses them by the fields' type ids.
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

interface QueryData {
  query: string;
  params: (string | null)[];
  arrayMode: boolean | undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SqlOverHttp {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Requests answered so far: each is one round trip for its caller, a batch included. */
  requests(): number;
  close(): Promise<void>;
}

/** `allowedTargets`: database URLs whose host (and port, when the connection string names one) may be queried. */
export function sqlOverHttp(options: { allowedTargets: string[] }): SqlOverHttp {
  const targets = options.allowedTargets.map((url) => new URL(url));
  const pools = new Map<string, pg.Pool>();
  let requests = 0;

  const poolFor = (connectionString: string | undefined): pg.Pool => {
    if (!connectionString) throw new HttpError(400, "missing Neon-Connection-String header");
    let url: URL;
    try {
      url = new URL(connectionString);
    } catch {
      throw new HttpError(400, "invalid connection string");
    }
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      throw new HttpError(400, "connection string must start with postgresql: or postgres:");
    }
    const database = decoded(url.pathname.slice(1));
    if (!database) throw new HttpError(400, "missing database name in the connection string");
    if (!url.username) throw new HttpError(400, "missing username in the connection string");
    // Neon resolves the compute from the host name alone; the driver's pool drops the port.
    const matches = targets.filter(
      (target) => target.hostname === url.hostname && (!url.port || target.port === url.port),
    );
    const [target] = matches;
    if (!target || matches.length > 1) throw new HttpError(400, `unknown or ambiguous endpoint ${url.host}`);
    const key = `${url.username}:${url.password}@${target.host}/${database}`;
    let pool = pools.get(key);
    if (!pool) {
      const [oldest] = pools.keys();
      if (pools.size >= MAX_POOLS && oldest !== undefined) {
        void pools
          .get(oldest)
          ?.end()
          .catch(() => {});
        pools.delete(oldest);
      }
      pool = new pg.Pool({
        host: target.hostname,
        port: Number(target.port || 5432),
        user: decoded(url.username),
        password: decoded(url.password),
        database,
        max: 10,
        idleTimeoutMillis: 30_000,
        allowExitOnIdle: true,
      });
      // An idle connection that loses its socket is dropped by the pool; the error must not crash the process.
      pool.on("error", () => {});
      pools.set(key, pool);
    }
    return pool;
  };

  return {
    async handle(request, response) {
      requests += 1;
      let status = 200;
      let body: unknown;
      const headers: Record<string, string> = {};
      try {
        if (request.method !== "POST") throw new HttpError(405, "only POST is supported");
        if (request.headers["neon-raw-text-output"] !== "true") {
          throw new HttpError(400, "this local endpoint serves Neon-Raw-Text-Output: true only");
        }
        const defaultArrayMode = request.headers["neon-array-mode"] === "true";
        const pool = poolFor(header(request, "neon-connection-string"));
        const mode = transactionMode(request);
        const payload = parsePayload(await readBody(request));
        if ("queries" in payload) {
          Object.assign(headers, mode.headers);
          body = { results: await runBatch(pool, payload.queries, mode.sql, defaultArrayMode) };
        } else {
          body = await runOne(pool, payload, defaultArrayMode);
        }
      } catch (error) {
        [status, body] = errorResponse(error);
      }
      const json = JSON.stringify(body);
      if (status === 200 && Buffer.byteLength(json) > MAX_RESPONSE_BYTES) {
        [status, body] = [507, { message: `response is too large (max is ${MAX_RESPONSE_BYTES} bytes)` }];
      }
      // A body refused half-read leaves the connection unusable for a next request: close it.
      if (status === 413) headers.connection = "close";
      response
        .writeHead(status, { "content-type": "application/json", ...headers })
        .end(status === 200 ? json : JSON.stringify(body));
    },
    requests: () => requests,
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.end().catch(() => {})));
      pools.clear();
    },
  };
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw new HttpError(400, "invalid percent-encoding in the connection string");
  }
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES)
      throw new HttpError(413, `request is too large (max is ${MAX_REQUEST_BYTES} bytes)`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parsePayload(text: string): QueryData | { queries: QueryData[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not JSON");
  }
  // Neon tries a single statement first: a body with a `query` is one, whatever else it has.
  const { query, queries } = (json ?? {}) as { query?: unknown; queries?: unknown };
  if (query === undefined && Array.isArray(queries)) return { queries: queries.map(parseQuery) };
  return parseQuery(json);
}

function parseQuery(json: unknown): QueryData {
  const { query, params = [], arrayMode } = (json ?? {}) as Record<string, unknown>;
  if (typeof query !== "string") throw new HttpError(400, "missing field `query`");
  if (!Array.isArray(params)) throw new HttpError(400, "`params` must be an array");
  if (arrayMode !== undefined && typeof arrayMode !== "boolean") {
    throw new HttpError(400, "`arrayMode` must be a boolean");
  }
  return { query, params: params.map(paramText), arrayMode };
}

/** A JSON parameter as the text Postgres receives, as Neon converts it (proxy/src/serverless/json.rs). */
export function paramText(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

function arrayLiteral(value: unknown): string {
  if (value === null) return "NULL";
  if (Array.isArray(value)) return `{${value.map(arrayLiteral).join(",")}}`;
  // Inside an array literal an object is a quoted string of its JSON.
  if (typeof value === "object") return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}

/** The `Neon-Batch-*` headers: checked on every request, as Neon does, though only a batch uses them. */
function transactionMode(request: IncomingMessage): { sql: string; headers: Record<string, string> } {
  const parts: string[] = [];
  const responseHeaders: Record<string, string> = {};
  const isolation = header(request, "neon-batch-isolation-level");
  if (isolation !== undefined) {
    const level = ISOLATION_LEVELS[isolation];
    if (!level) throw new HttpError(400, "invalid isolation level");
    parts.push(`ISOLATION LEVEL ${level}`);
    responseHeaders["neon-batch-isolation-level"] = isolation;
  }
  if (header(request, "neon-batch-read-only") === "true") {
    parts.push("READ ONLY");
    responseHeaders["neon-batch-read-only"] = "true";
  }
  if (header(request, "neon-batch-deferrable") === "true") {
    parts.push("DEFERRABLE");
    responseHeaders["neon-batch-deferrable"] = "true";
  }
  return { sql: parts.join(" "), headers: responseHeaders };
}

async function run(client: pg.Pool | pg.PoolClient, data: QueryData, defaultArrayMode: boolean) {
  const arrayMode = data.arrayMode ?? defaultArrayMode;
  // Extended protocol even without parameters, as Neon's proxy: one statement per query, never several.
  const result = await client.query({
    text: data.query,
    values: data.params,
    rowMode: "array",
    types: RAW_TEXT,
    queryMode: "extended",
  } as pg.QueryArrayConfig);
  const fields = result.fields.map((field) => ({
    name: field.name,
    dataTypeID: field.dataTypeID,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: "text",
  }));
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(fields.map((field, i) => [field.name, row[i]])));
  return { rowAsArray: arrayMode, fields, rows, command: result.command, rowCount: result.rowCount };
}

/** One statement on a pooled connection, which goes back to the pool only if it is idle again (Neon's `check_idle`). */
async function runOne(pool: pg.Pool, data: QueryData, defaultArrayMode: boolean) {
  const client = (await pool.connect()) as pg.PoolClient & { getTransactionStatus(): string | null };
  let idle = false;
  try {
    const result = await run(client, data, defaultArrayMode);
    idle = client.getTransactionStatus() === "I";
    return result;
  } finally {
    // A connection left inside a transaction (a lone BEGIN) or in doubt is closed, not handed to the next query.
    client.release(!idle);
  }
}

async function runBatch(pool: pg.Pool, queries: QueryData[], mode: string, defaultArrayMode: boolean) {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ${mode}`.trim());
    try {
      const results = [];
      for (const query of queries) results.push(await run(client, query, defaultArrayMode));
      await client.query("COMMIT");
      return results;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    }
  } finally {
    // A connection whose rollback failed is in an unknown state: it leaves the pool.
    client.release(broken);
  }
}

function errorResponse(error: unknown): [number, Record<string, unknown>] {
  if (error instanceof HttpError) return [error.status, { message: error.message }];
  if (error instanceof pg.DatabaseError) {
    const body: Record<string, unknown> = { message: error.message };
    for (const field of DB_ERROR_FIELDS) body[field] = error[field] ?? null;
    return [400, body];
  }
  // Could not reach Postgres, or lost it mid-query: the driver reports a 5xx as a server error.
  return [500, { message: error instanceof Error ? error.message : String(error) }];
}
