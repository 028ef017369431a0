import { applyMigrations } from "../schema/migrate";
import { startWsProxy } from "../schema/ws-proxy";
import { startEmbeddedPostgres } from "./pglite-server";

/**
 * A migrated in-memory Postgres plus the Neon WebSocket proxy, as a process of its own. Prints one JSON line
 * `{ databaseUrl, wsProxy }` when ready and stops on SIGTERM/SIGINT. Test set-ups that run under bundler
 * conditions (the workerd test project) start it as a child instead of importing Node-only modules.
 */
async function main(): Promise<void> {
  const postgres = await startEmbeddedPostgres();
  const proxy = await startWsProxy({ allowedTargets: [postgres.databaseUrl] });
  await applyMigrations({ databaseUrl: postgres.databaseUrl, wsProxy: proxy.address });
  process.stdout.write(`${JSON.stringify({ databaseUrl: postgres.databaseUrl, wsProxy: proxy.address })}\n`);

  const stop = async () => {
    await proxy.close();
    await postgres.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
