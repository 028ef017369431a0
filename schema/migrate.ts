import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import ws from "ws";
import { createDb, type DbSettings } from "./db";
import { startWsProxy } from "./ws-proxy";

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies every migration not yet recorded in `drizzle.__drizzle_migrations`; a second run changes nothing. */
export async function applyMigrations(settings: DbSettings): Promise<void> {
  const db = createDb({ webSocketConstructor: ws, ...settings });
  try {
    await migrate(db, { migrationsFolder });
  } finally {
    await db.$client.end();
  }
}

const isNeonHost = (databaseUrl: string) => new URL(databaseUrl).hostname.endsWith(".neon.tech");

/** `npm run db:migrate`: applies migrations to `DATABASE_URL`, Neon or any Postgres reachable over TCP. */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set (e.g. postgres://user:pass@host:5432/db)");
    process.exit(2);
  }
  // A plain Postgres has no WebSocket endpoint: bridge to it the way the dev stack does.
  const proxy = isNeonHost(databaseUrl) ? undefined : await startWsProxy({ allowedTargets: [databaseUrl] });
  try {
    await applyMigrations({ databaseUrl, wsProxy: proxy?.address });
    console.log("migrations applied");
  } finally {
    await proxy?.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error("migration failed:", error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
