import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Sql, SqlValue } from "./sql";

/** `ctx.storage.sql` stand-in on Node's built-in SQLite, for unit tests of the driver's SQL. */
export function memorySql(): Sql {
  const db = new DatabaseSync(":memory:");
  return {
    exec(query: string, ...bindings: SqlValue[]) {
      const params = bindings.map((value) =>
        value instanceof ArrayBuffer ? new Uint8Array(value) : value,
      ) as SQLInputValue[];
      const statement = db.prepare(query);
      // A statement without result columns (DDL, INSERT) must be run, not iterated.
      if (statement.columns().length === 0) {
        statement.run(...params);
        return { raw: () => [] };
      }
      const rows = statement.all(...params);
      return { raw: () => rows.map((row) => Object.values(row) as SqlValue[]) };
    },
  };
}
