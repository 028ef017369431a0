import { describe, expect, it } from "vitest";
import {
  createKvTable,
  kvDelete,
  kvDeleteAll,
  kvDeleteRange,
  kvGet,
  kvListPrefix,
  kvListRange,
  kvPut,
  prefixUpperBound,
} from "./kv-sql";
import { memorySql } from "./sql.test-support";

const b = (...bytes: number[]) => new Uint8Array(bytes);
const keysOf = (entries: [Uint8Array, Uint8Array][]) => entries.map(([key]) => [...key]);

function seeded() {
  const sql = memorySql();
  createKvTable(sql);
  kvPut(sql, [
    [b(1), b(10)],
    [b(1, 0), b(11)],
    [b(1, 2), b(12)],
    [b(1, 0xff), b(13)],
    [b(2), b(20)],
    [b(0xff), b(30)],
    [b(0xff, 0xff), b(31)],
  ]);
  return sql;
}

describe("prefixUpperBound", () => {
  it("increments the last byte that can be incremented", () => {
    expect(prefixUpperBound(b(1, 2))).toEqual(b(1, 3));
    expect(prefixUpperBound(b(1, 0xff))).toEqual(b(2));
    expect(prefixUpperBound(b(0xff, 0xff))).toBeUndefined();
    expect(prefixUpperBound(b())).toBeUndefined();
  });

  it("does not modify its input", () => {
    const prefix = b(1, 2);
    prefixUpperBound(prefix);
    expect(prefix).toEqual(b(1, 2));
  });
});

describe("kv on SQLite", () => {
  it("puts, overwrites, gets and deletes; missing keys read as null", () => {
    const sql = seeded();
    kvPut(sql, [[b(2), b(21)]]);
    expect(kvGet(sql, [b(2), b(9), b(1)])).toEqual([b(21), null, b(10)]);
    kvDelete(sql, [b(2), b(9)]);
    expect(kvGet(sql, [b(2)])).toEqual([null]);
  });

  it("orders keys byte-wise and lists a prefix, forwards and backwards, with limits", () => {
    const sql = seeded();
    expect(keysOf(kvListPrefix(sql, b(1)))).toEqual([[1], [1, 0], [1, 2], [1, 0xff]]);
    expect(keysOf(kvListPrefix(sql, b(1), { reverse: true, limit: 2 }))).toEqual([
      [1, 0xff],
      [1, 2],
    ]);
    expect(keysOf(kvListPrefix(sql, b(0xff)))).toEqual([[0xff], [0xff, 0xff]]);
    expect(keysOf(kvListPrefix(sql, b()))).toHaveLength(7);
  });

  it("lists and deletes half-open ranges", () => {
    const sql = seeded();
    expect(keysOf(kvListRange(sql, b(1, 0), b(2)))).toEqual([
      [1, 0],
      [1, 2],
      [1, 0xff],
    ]);
    kvDeleteRange(sql, b(1, 0), b(2));
    expect(keysOf(kvListPrefix(sql, b()))).toEqual([[1], [2], [0xff], [0xff, 0xff]]);
    kvDeleteAll(sql);
    expect(kvListPrefix(sql, b())).toEqual([]);
  });
});
