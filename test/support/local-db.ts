import { sql } from "drizzle-orm";
import ws from "ws";
import { startEmbeddedPostgres } from "../../dev/pglite-server";
import { threads, users } from "../../schema";
import { createDb, type Database, type DbSettings } from "../../schema/db";
import { applyMigrations } from "../../schema/migrate";
import { startWsProxy } from "../../schema/ws-proxy";

export interface LocalDatabase {
  settings: DbSettings;
  /** A fresh pool through the real Neon driver and the WebSocket proxy. */
  connect(): Database;
  close(): Promise<void>;
}

/** An empty in-memory Postgres reached exactly as the Workers reach it: Neon driver → WS proxy → Postgres. */
export async function startLocalDatabase(): Promise<LocalDatabase> {
  const postgres = await startEmbeddedPostgres();
  const proxy = await startWsProxy({ allowedTargets: [postgres.databaseUrl] });
  const settings: DbSettings = {
    databaseUrl: postgres.databaseUrl,
    wsProxy: proxy.address,
    webSocketConstructor: ws,
  };
  const pools: Database[] = [];
  return {
    settings,
    connect() {
      const db = createDb(settings);
      pools.push(db);
      return db;
    },
    async close() {
      await Promise.all(pools.map((db) => db.$client.end().catch(() => {})));
      await proxy.close();
      await postgres.close();
    },
  };
}

export type MigratedDatabase = LocalDatabase & { db: Database };

/** An empty database with every migration applied and one pool on it: where most database tests start. */
export async function startMigratedDatabase(): Promise<MigratedDatabase> {
  const local = await startLocalDatabase();
  try {
    await applyMigrations(local.settings);
  } catch (error) {
    await local.close();
    throw error;
  }
  return { ...local, db: local.connect() };
}

export async function tableNames(db: Database): Promise<string[]> {
  const result = await db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return result.rows.map((row) => row.table_name);
}

/** A new user (unique Clerk id) with one thread, for tests that need rows to hang others on. */
export async function insertUserWithThread(db: Database) {
  const [user] = await db
    .insert(users)
    .values({ clerkUserId: `user_${crypto.randomUUID()}` })
    .returning();
  if (!user) throw new Error("no user");
  const [thread] = await db.insert(threads).values({ userId: user.id, title: "t" }).returning();
  if (!thread) throw new Error("no thread");
  return { user, thread };
}
