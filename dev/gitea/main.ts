import path from "node:path";
import { loadOrCreateGiteaSecrets } from "./dev-secrets";
import { startDevGitea } from "./server";

/**
 * `npm run gitea`: the dev Gitea on its own (`npm run dev` starts it too). Data and the admin token persist in
 * `.dev/` (token in `.dev/gitea-secrets.json`); `GITEA_PORT` picks the port (default: a free one).
 *
 * `--ephemeral`: temporary data and a fresh admin token, announced as one JSON line `{ url, adminToken }` on
 * stdout, for test set-ups that cannot import Node-only modules (the workerd project).
 */
const repoRoot = path.resolve(import.meta.dirname, "../..");
const ephemeral = process.argv.includes("--ephemeral");
const secrets = ephemeral
  ? undefined
  : await loadOrCreateGiteaSecrets(path.join(repoRoot, ".dev/gitea-secrets.json"));
const gitea = await startDevGitea({
  dataDir: ephemeral ? undefined : path.join(repoRoot, ".dev/gitea"),
  port: Number(process.env.GITEA_PORT ?? 0),
  adminToken: secrets?.adminToken,
  log: ephemeral ? undefined : (line) => console.log(`[gitea] ${line}`),
});
if (ephemeral) process.stdout.write(`${JSON.stringify({ url: gitea.url, adminToken: gitea.adminToken })}\n`);
else console.log(`[gitea] ready on ${gitea.url}; admin token in .dev/gitea-secrets.json`);

const stop = async () => {
  await gitea.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
