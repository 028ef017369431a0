import { type Sql, toBytes } from "./sql";

/**
 * Actor KV on the Durable Object's SQLite database. Keys are BLOBs, which SQLite orders byte-wise (memcmp),
 * exactly the order RivetKit's range and prefix operations assume. SQL instead of the native DO KV API
 * because that API only takes string keys.
 */

const TABLE = "_rivetkit_kv";
/** Same default page as RivetKit's other drivers. */
export const DEFAULT_LIST_LIMIT = 16_384;

export interface ListOptions {
  reverse?: boolean;
  limit?: number;
}

export type KvEntry = [Uint8Array, Uint8Array];

export function createKvTable(sql: Sql): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID`);
}

/**
 * The smallest key greater than every key that starts with `prefix`, or undefined when no such key exists
 * (empty prefix or all 0xff): then the range is open-ended.
 */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i] as number;
    if (byte !== 0xff) {
      const bound = prefix.slice(0, i + 1);
      bound[i] = byte + 1;
      return bound;
    }
  }
  return undefined;
}

export function kvPut(sql: Sql, entries: readonly KvEntry[]): void {
  for (const [key, value] of entries) {
    sql.exec(`INSERT OR REPLACE INTO ${TABLE} (key, value) VALUES (?, ?)`, key, value);
  }
}

export function kvGet(sql: Sql, keys: readonly Uint8Array[]): (Uint8Array | null)[] {
  return keys.map((key) => {
    for (const [value] of sql.exec(`SELECT value FROM ${TABLE} WHERE key = ?`, key).raw()) {
      return toBytes(value);
    }
    return null;
  });
}

export function kvDelete(sql: Sql, keys: readonly Uint8Array[]): void {
  for (const key of keys) sql.exec(`DELETE FROM ${TABLE} WHERE key = ?`, key);
}

export function kvDeleteRange(sql: Sql, start: Uint8Array, end: Uint8Array): void {
  sql.exec(`DELETE FROM ${TABLE} WHERE key >= ? AND key < ?`, start, end);
}

export function kvDeleteAll(sql: Sql): void {
  sql.exec(`DELETE FROM ${TABLE}`);
}

/** Entries in the half-open range [start, end); `end` undefined means no upper bound. */
export function kvListRange(
  sql: Sql,
  start: Uint8Array,
  end: Uint8Array | undefined,
  options: ListOptions = {},
): KvEntry[] {
  const order = options.reverse ? "DESC" : "ASC";
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  const cursor =
    end === undefined
      ? sql.exec(`SELECT key, value FROM ${TABLE} WHERE key >= ? ORDER BY key ${order} LIMIT ?`, start, limit)
      : sql.exec(
          `SELECT key, value FROM ${TABLE} WHERE key >= ? AND key < ? ORDER BY key ${order} LIMIT ?`,
          start,
          end,
          limit,
        );
  const entries: KvEntry[] = [];
  for (const [key, value] of cursor.raw()) entries.push([toBytes(key), toBytes(value)]);
  return entries;
}

export function kvListPrefix(sql: Sql, prefix: Uint8Array, options: ListOptions = {}): KvEntry[] {
  return kvListRange(sql, prefix, prefixUpperBound(prefix), options);
}
