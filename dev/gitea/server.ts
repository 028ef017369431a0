import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { repoRoutes } from "./api-repos";
import { userRoutes } from "./api-users";
import { authenticate } from "./auth";
import { createExclusive, type DevGiteaContext } from "./context";
import { HEALTHZ, sendHealth } from "./health";
import { HttpError, sendJson } from "./http";
import { SMART_HTTP, serveSmartHttp } from "./smart-http";
import { GiteaStore, type UserRecord } from "./store";

export interface DevGiteaOptions {
  /** Keeps users, tokens and repositories here across restarts; omitted means a temporary directory. */
  dataDir?: string;
  port?: number;
  /** The site admin's access token (scope `all`); generated when omitted. */
  adminToken?: string;
  adminUsername?: string;
  log?: (line: string) => void;
}

export interface DevGitea {
  url: string;
  adminUsername: string;
  adminToken: string;
  /** Where the bare repositories are, for tests that look at them directly. */
  reposDir: string;
  close(): Promise<void>;
}

/**
 * A Gitea-compatible server for exactly the API subset GrowQR uses, over real bare git repositories (see
 * docs/memory.md). Listens on loopback; port 0 (the default) picks a free port. In-process, with an admin token
 * (the dev stack and the tests); a per-user Gitea machine of dev/fly runs `machine.ts` instead.
 */
export async function startDevGitea(options: DevGiteaOptions = {}): Promise<DevGitea> {
  const temporary = options.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), "dev-gitea-"));
  const dataDir = options.dataDir ?? (temporary as string);
  const store = await openGiteaData(dataDir);
  const adminUsername = options.adminUsername ?? "growqr_admin";
  // Nobody signs in with this password: the in-process admin works with its token.
  const admin = ensureAdmin(store, adminUsername, crypto.randomUUID());
  let adminToken = options.adminToken;
  if (!adminToken || !store.tokenBySecret(adminToken)) {
    adminToken = store.createToken(admin.id, `admin-${Date.now()}`, ["all"], adminToken).token;
  }
  await store.save();
  const server = await serveDevGitea(store, dataDir, { port: options.port, log: options.log });
  return {
    url: server.url,
    adminUsername,
    adminToken,
    reposDir: server.reposDir,
    async close() {
      await server.close();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}

/** The store of `dataDir` (`state.json`), with its `repositories/` directory made. */
export async function openGiteaData(dataDir: string): Promise<GiteaStore> {
  await mkdir(path.join(dataDir, "repositories"), { recursive: true });
  return new GiteaStore(path.join(dataDir, "state.json"));
}

/**
 * The site admin, created with `password` if missing. An existing one is left alone, as runtime/gitea/bootstrap.sh
 * does on a reboot (`gitea admin user create` runs once): its password stays the one it was created with.
 */
export function ensureAdmin(store: GiteaStore, login: string, password: string): UserRecord {
  return (
    store.userByLogin(login) ??
    store.createUser({
      login,
      email: `${login}@growqr.invalid`,
      password,
      isAdmin: true,
      mustChangePassword: false,
    })
  );
}

/**
 * The HTTP server over a store. Like the production Gitea (REQUIRE_SIGNIN_VIEW, runtime/gitea/bootstrap.sh),
 * nothing is served without signing in except `/api/healthz`: the API answers anonymous callers 403 with Gitea's
 * message, and git over HTTP challenges them for Basic credentials.
 */
export async function serveDevGitea(
  store: GiteaStore,
  dataDir: string,
  options: { port?: number; log?: (line: string) => void },
): Promise<{ url: string; reposDir: string; close(): Promise<void> }> {
  const reposDir = path.join(dataDir, "repositories");
  const log = options.log ?? (() => {});
  const context: DevGiteaContext = { store, reposDir, urls: { root: "" }, exclusive: createExclusive() };
  const routes = [...userRoutes(context), ...repoRoutes(context)];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", context.urls.root);
    if (url.pathname === HEALTHZ && (req.method === "GET" || req.method === "HEAD")) return sendHealth(res);
    const principal = authenticate(req, url, store);
    const smart = url.pathname.match(SMART_HTTP);
    if (smart) return serveSmartHttp(context, req, res, url, principal, smart);
    if (!url.pathname.startsWith("/api/v1/")) throw new HttpError(404, "Not found");
    if (!principal) throw new HttpError(403, "Only signed in user is allowed to call APIs.");
    const apiPath = url.pathname.slice("/api/v1".length);
    let pathMatched = false;
    for (const [method, pattern, handler] of routes) {
      const match = apiPath.match(pattern);
      if (!match) continue;
      pathMatched = true;
      if (method !== req.method) continue;
      return handler({ req, res, principal, params: match.slice(1) }, url);
    }
    throw new HttpError(pathMatched ? 405 : 404, pathMatched ? "Method Not Allowed" : "Not found");
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!(error instanceof HttpError))
        log(`error on ${req.method} ${req.url?.split("?")[0]}: ${String(error)}`);
      if (res.headersSent) return void res.end();
      const message = error instanceof HttpError ? error.message : "internal server error";
      sendJson(
        res,
        status,
        { message, url: `${context.urls.root}/api/swagger` },
        error instanceof HttpError ? error.headers : {},
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  context.urls.root = `http://127.0.0.1:${port}`;
  log(`dev Gitea on ${context.urls.root} (repositories in ${reposDir})`);

  return {
    url: context.urls.root,
    reposDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.save();
    },
  };
}
