import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres {
  databaseUrl: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Postgres in WASM (PGlite) behind a Postgres wire-protocol socket. `dataDir` keeps data across runs; without it
 * the database lives in memory (tests).
 */
export async function startEmbeddedPostgres(
  options: { dataDir?: string; port?: number } = {},
): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  // The default of one connection makes every pooled second connection fail; PGlite multiplexes them.
  const server = new PGLiteSocketServer({
    db,
    port: options.port ?? 0,
    host: "127.0.0.1",
    maxConnections: 100,
  });
  await server.start();
  const port = Number(server.getServerConn().split(":").at(-1));
  return {
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}
