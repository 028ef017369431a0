import { firstRow, type Sql } from "./sql";

/**
 * The one row that says which actor a Durable Object hosts. The `generation` survives destroy, so
 * re-creating under the same key yields a new actor id and stale ids can be told apart.
 */

const TABLE = "_rivetkit_actor";

export interface ActorMetadata {
  name: string;
  key: string[];
  /** Key namespace the actor was created in; its own client resolves other actors in the same one. */
  scope: string;
  generation: number;
  destroyed: boolean;
}

export function createMetadataTable(sql: Sql): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    generation INTEGER NOT NULL,
    destroyed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  )`);
}

export function readMetadata(sql: Sql): ActorMetadata | undefined {
  const row = firstRow(sql, `SELECT name, key, scope, generation, destroyed FROM ${TABLE} WHERE id = 1`);
  if (!row) return undefined;
  const [name, key, scope, generation, destroyed] = row;
  return {
    name: String(name),
    key: JSON.parse(String(key)) as string[],
    scope: String(scope),
    generation: Number(generation),
    destroyed: Number(destroyed) !== 0,
  };
}

export type CreateOutcome =
  | { kind: "existing"; metadata: ActorMetadata }
  | { kind: "duplicate"; metadata: ActorMetadata }
  | { kind: "created"; metadata: ActorMetadata };

/**
 * Creates the actor row, or reports the live actor already there. A destroyed actor is replaced by the
 * next generation. The caller writes the actor's initial state when the outcome is "created".
 */
export function createOrGetMetadata(
  sql: Sql,
  request: { name: string; key: string[]; scope: string; allowExisting: boolean; now: number },
): CreateOutcome {
  const current = readMetadata(sql);
  if (current && !current.destroyed) {
    return { kind: request.allowExisting ? "existing" : "duplicate", metadata: current };
  }
  const metadata: ActorMetadata = {
    name: request.name,
    key: request.key,
    scope: request.scope,
    generation: current ? current.generation + 1 : 0,
    destroyed: false,
  };
  sql.exec(
    `INSERT INTO ${TABLE} (id, name, key, scope, generation, destroyed, created_at) VALUES (1, ?, ?, ?, ?, 0, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, key = excluded.key, scope = excluded.scope,
       generation = excluded.generation, destroyed = 0, created_at = excluded.created_at`,
    metadata.name,
    JSON.stringify(metadata.key),
    metadata.scope,
    metadata.generation,
    request.now,
  );
  return { kind: "created", metadata };
}

export function markDestroyed(sql: Sql): void {
  sql.exec(`UPDATE ${TABLE} SET destroyed = 1 WHERE id = 1`);
}
