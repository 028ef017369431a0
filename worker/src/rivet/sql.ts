/**
 * The slice of the Durable Object SQL API the driver uses. Declared structurally so the SQL logic can run
 * under Node's `node:sqlite` in unit tests; `ctx.storage.sql` satisfies it as is.
 */
export type SqlValue = ArrayBuffer | Uint8Array | string | number | null;

export interface Sql {
  exec(query: string, ...bindings: SqlValue[]): { raw(): Iterable<SqlValue[]> };
}

export function firstRow(sql: Sql, query: string, ...bindings: SqlValue[]): SqlValue[] | undefined {
  for (const row of sql.exec(query, ...bindings).raw()) return row;
  return undefined;
}

export function toBytes(value: SqlValue | undefined): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`expected a BLOB, got ${value === null ? "null" : typeof value}`);
}
