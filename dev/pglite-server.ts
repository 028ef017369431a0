import net from "node:net";
import { PGlite } from "@electric-sql/pglite";
import {
  endsUnit,
  FrontendMessageReader,
  isCancelRequest,
  isSslRequest,
  type Session,
  SessionScheduler,
} from "./pglite-wire";

export interface EmbeddedPostgres {
  databaseUrl: string;
  port: number;
  close(): Promise<void>;
}

const TERMINATE = "X".charCodeAt(0);

/**
 * Postgres in WASM (PGlite) behind a Postgres wire-protocol server on loopback. `dataDir` keeps data across runs;
 * without it the database lives in memory (tests). We serve the socket ourselves rather than with
 * @electric-sql/pglite-socket, which interleaves concurrent clients message by message (corrupting the extended
 * protocol and hanging clients under load) and keeps connections open after Terminate.
 */
export async function startEmbeddedPostgres(
  options: { dataDir?: string; port?: number } = {},
): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const scheduler = new SessionScheduler(db);
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrontendMessageReader();
    const session: Session = { write: (data) => socket.writable && socket.write(data) };
    let started = false;
    let pending: Buffer[] = [];
    // Units of one connection run in order: chain them.
    let previous = Promise.resolve();

    socket.on("data", (chunk) => {
      for (const message of reader.push(chunk)) {
        if (!started && isSslRequest(message)) {
          socket.write("N");
          continue;
        }
        if (!started && isCancelRequest(message)) {
          socket.end();
          return;
        }
        if (started && message[0] === TERMINATE) {
          socket.end();
          return;
        }
        pending.push(message);
        if (endsUnit(message, started)) {
          const unit = pending;
          pending = [];
          previous = previous.then(() => scheduler.run(session, unit));
        }
        started = true;
      }
    });
    const release = () => {
      sockets.delete(socket);
      void previous.then(() => scheduler.release(session));
    };
    socket.on("close", release);
    socket.on("error", () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
