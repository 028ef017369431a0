import { isValidUsername } from "./context";
import { ensureAdmin, openGiteaData, serveDevGitea } from "./server";

/** What a per-user Gitea machine is given, read from its environment. */
export interface GiteaMachineEnv {
  port: number;
  dataDir: string;
  adminUser: string;
  adminPassword: string;
}

/**
 * The machine env contract of runtime/gitea/bootstrap.sh, plus dev/fly's: `PORT` (the machine's service port) and
 * `GROWQR_DATA_DIR` (the directory standing in for the `/data` volume; bootstrap.sh's own override of `/data`).
 * Throws a message naming what is missing or invalid, for the process to print before exiting non-zero.
 */
export function readGiteaMachineEnv(env: NodeJS.ProcessEnv): GiteaMachineEnv {
  const adminUser = env.GITEA_ADMIN_USER ?? "";
  const adminPassword = env.GITEA_ADMIN_PASSWORD ?? "";
  const port = Number(env.PORT);
  const dataDir = env.GROWQR_DATA_DIR ?? "";
  if (!adminUser) throw new Error("GITEA_ADMIN_USER must be set (machine env from the provisioner)");
  if (!adminPassword) throw new Error("GITEA_ADMIN_PASSWORD must be set (machine env from the provisioner)");
  if (!isValidUsername(adminUser)) throw new Error(`GITEA_ADMIN_USER ${adminUser} is not a valid Gitea name`);
  // `gitea admin user create` refuses passwords below MIN_PASSWORD_LENGTH (8), which fails the real boot.
  if (adminPassword.length < 8) throw new Error("GITEA_ADMIN_PASSWORD must be 8 characters at least");
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error("PORT must be a TCP port");
  if (!dataDir) throw new Error("GROWQR_DATA_DIR must be set (the directory of the /data volume)");
  return { port, dataDir, adminUser, adminPassword };
}

/**
 * One user's Gitea as its own process, as a machine of dev/fly runs it (`npm run gitea -- --machine`): data on
 * the volume, the admin made at first boot from the env (HTTP Basic only: a real Gitea cannot import a token, so
 * none is minted here), then the server on PORT. The admin exists before the port opens, so a caller that sees
 * the health check pass can sign in at once.
 */
export async function startGiteaMachine(env: GiteaMachineEnv, log: (line: string) => void) {
  const store = await openGiteaData(env.dataDir);
  const created = !store.userByLogin(env.adminUser);
  ensureAdmin(store, env.adminUser, env.adminPassword);
  await store.save();
  log(created ? `created admin ${env.adminUser}` : `admin ${env.adminUser} exists`);
  return serveDevGitea(store, env.dataDir, { port: env.port, log });
}
