import path from "node:path";
import { loadOrCreateGiteaSecrets } from "./dev-secrets";
import { readGiteaMachineEnv, startGiteaMachine } from "./machine";
import { startDevGitea } from "./server";

/**
 * `npm run gitea`: the dev Gitea on its own (`npm run dev` starts it too). Data and the admin token persist in
 * `.dev/` (token in `.dev/gitea-secrets.json`); `GITEA_PORT` picks the port (default: a free one).
 *
 * `--ephemeral`: temporary data and a fresh admin token, announced as one JSON line `{ url, adminToken }` on
 * stdout, for test set-ups that cannot import Node-only modules (the workerd project).
 *
 * `--machine`: one user's Gitea machine as dev/fly runs it (machine.ts): configured only by its env, like
 * runtime/gitea/bootstrap.sh; exits 1 with a message when the env is incomplete.
 */
const repoRoot = path.resolve(import.meta.dirname, "../..");
const log = (line: string) => console.log(`[gitea] ${line}`);

async function start(): Promise<{ close(): Promise<void> }> {
  if (process.argv.includes("--machine")) {
    let env: ReturnType<typeof readGiteaMachineEnv>;
    try {
      env = readGiteaMachineEnv(process.env);
    } catch (error) {
      console.error(`growqr-gitea: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
    const server = await startGiteaMachine(env, log);
    log(`ready on ${server.url}`);
    return server;
  }
  const ephemeral = process.argv.includes("--ephemeral");
  const secrets = ephemeral
    ? undefined
    : await loadOrCreateGiteaSecrets(path.join(repoRoot, ".dev/gitea-secrets.json"));
  const gitea = await startDevGitea({
    dataDir: ephemeral ? undefined : path.join(repoRoot, ".dev/gitea"),
    port: Number(process.env.GITEA_PORT ?? 0),
    adminToken: secrets?.adminToken,
    log: ephemeral ? undefined : log,
  });
  if (ephemeral)
    process.stdout.write(`${JSON.stringify({ url: gitea.url, adminToken: gitea.adminToken })}\n`);
  else log(`ready on ${gitea.url}; admin token in .dev/gitea-secrets.json`);
  return gitea;
}

const server = await start();
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
