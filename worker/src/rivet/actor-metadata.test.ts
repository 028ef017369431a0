import { describe, expect, it } from "vitest";
import { createMetadataTable, createOrGetMetadata, markDestroyed, readMetadata } from "./actor-metadata";
import { memorySql } from "./sql.test-support";

function fresh() {
  const sql = memorySql();
  createMetadataTable(sql);
  return sql;
}

const request = { name: "counter", key: ["k", "2"], scope: "t1", now: 1 };

describe("actor metadata", () => {
  it("creates generation 0, then returns it to get-or-create and refuses a second create", () => {
    const sql = fresh();
    expect(readMetadata(sql)).toBeUndefined();
    expect(createOrGetMetadata(sql, { ...request, allowExisting: false })).toMatchObject({
      kind: "created",
      metadata: { generation: 0, key: ["k", "2"], scope: "t1" },
    });
    expect(createOrGetMetadata(sql, { ...request, allowExisting: true }).kind).toBe("existing");
    expect(createOrGetMetadata(sql, { ...request, allowExisting: false }).kind).toBe("duplicate");
  });

  it("re-creates a destroyed actor as the next generation", () => {
    const sql = fresh();
    createOrGetMetadata(sql, { ...request, allowExisting: true });
    markDestroyed(sql);
    expect(readMetadata(sql)).toMatchObject({ destroyed: true, generation: 0 });
    expect(createOrGetMetadata(sql, { ...request, allowExisting: false })).toMatchObject({
      kind: "created",
      metadata: { generation: 1, destroyed: false },
    });
    markDestroyed(sql);
    expect(createOrGetMetadata(sql, { ...request, allowExisting: true }).metadata.generation).toBe(2);
  });
});
