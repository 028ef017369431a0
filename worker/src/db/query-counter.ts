import type { Pool, PoolClient } from "@neondatabase/serverless";

export interface QueryStats {
  queries: number;
  totalMs: number;
}

type QueryFn = (...args: unknown[]) => Promise<unknown>;

function timed(target: { query: unknown }, stats: QueryStats): void {
  const original = target.query as QueryFn;
  target.query = async function (this: unknown, ...args: unknown[]) {
    const started = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      stats.queries += 1;
      stats.totalMs += performance.now() - started;
    }
  } as typeof target.query;
}

/**
 * Counts the database round-trips of one request (pool queries and queries on clients it hands out for
 * transactions), for the Server-Timing header: the number API consumers and the benchmarks read.
 */
export function countQueries(pool: Pool): QueryStats {
  const stats: QueryStats = { queries: 0, totalMs: 0 };
  const counted = new WeakSet<PoolClient>();
  timed(pool, stats);
  // Only the promise form hands a client to the caller; pool.query uses the callback form internally and is
  // already counted above.
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  pool.connect = ((...args: unknown[]) => {
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<PoolClient>).then((client) => {
      // The pool hands the same client out again after release; wrap it once.
      if (!counted.has(client)) {
        counted.add(client);
        timed(client, stats);
      }
      return client;
    });
  }) as typeof pool.connect;
  return stats;
}

export const serverTiming = (stats: QueryStats) =>
  `db;dur=${stats.totalMs.toFixed(1)};desc="${stats.queries} ${stats.queries === 1 ? "query" : "queries"}"`;
