import path from "node:path";
import { prefixedLog } from "./processes";
import { DEV_ISSUER_PORT, repoRoot, startLocalStack } from "./stack";

/**
 * `npm run dev`: the whole app in one terminal. Ports and DATABASE_URL come from the environment (see README,
 * "Configuration"); Ctrl-C stops everything and flushes the embedded database to disk.
 */
async function main(): Promise<void> {
  const loggers = new Map<string, (line: string) => void>();
  const log = (service: string, line: string) => {
    let write = loggers.get(service);
    if (!write) {
      write = prefixedLog(service);
      loggers.set(service, write);
    }
    write(line);
  };
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const stateDir = path.join(repoRoot, ".dev");

  const stack = await startLocalStack({
    databaseUrl: process.env.DATABASE_URL || undefined,
    pgDataDir: path.join(stateDir, "pgdata"),
    pgPort: port("PG_PORT", 15432),
    proxyPort: port("DB_PROXY_PORT", 15433),
    apiPort: port("API_PORT", 8787),
    webPort: port("WEB_PORT", 5173),
    issuerPort: port("ISSUER_PORT", DEV_ISSUER_PORT),
    issuerKeyFile: path.join(stateDir, "issuer-key.json"),
    giteaSecretsFile: path.join(stateDir, "gitea-secrets.json"),
    giteaTokenKey: process.env.GITEA_TOKEN_KEY || undefined,
    webOrigins: [`http://127.0.0.1:${port("WEB_PORT", 5173)}`, `http://localhost:${port("WEB_PORT", 5173)}`],
    stateDir,
    log,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("dev", `${signal}: stopping…`);
    await stack.stop();
    log("dev", "stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  log("dev", "ready:");
  log("dev", `  web   ${stack.webUrl}`);
  log("dev", `  api   ${stack.apiUrl}/api/health`);
  log("dev", `  db    ${stack.databaseUrl.replace(/:[^:@/]+@/, ":***@")}`);
  log("dev", `  auth  ${stack.issuer.url} (dev issuer; \`npm run token -- alice\` prints a token)`);
  log("dev", `  git   each user's own Gitea machine under dev/fly (${stack.fly?.edgeUrl ?? "Fly"})`);
  log("dev", "Ctrl-C to stop");
}

main().catch((error: unknown) => {
  console.error("[dev] failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
