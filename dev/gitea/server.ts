import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { repoRoutes } from "./api-repos";
import { userRoutes } from "./api-users";
import { authenticate } from "./auth";
import { createExclusive, type DevGiteaContext } from "./context";
import { HttpError, sendJson } from "./http";
import { SMART_HTTP, serveSmartHttp } from "./smart-http";
import { GiteaStore } from "./store";

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
 * docs/memory.md). Listens on loopback; port 0 (the default) picks a free port.
 */
export async function startDevGitea(options: DevGiteaOptions = {}): Promise<DevGitea> {
  const temporary = options.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), "dev-gitea-"));
  const dataDir = options.dataDir ?? (temporary as string);
  const reposDir = path.join(dataDir, "repositories");
  await mkdir(reposDir, { recursive: true });
  const store = new GiteaStore(path.join(dataDir, "state.json"));
  const log = options.log ?? (() => {});

  const adminUsername = options.adminUsername ?? "growqr_admin";
  const admin =
    store.userByLogin(adminUsername) ??
    store.createUser({
      login: adminUsername,
      email: `${adminUsername}@growqr.invalid`,
      password: crypto.randomUUID(),
      isAdmin: true,
      mustChangePassword: false,
    });
  let adminToken = options.adminToken;
  if (!adminToken || !store.tokenBySecret(adminToken)) {
    adminToken = store.createToken(admin.id, `admin-${Date.now()}`, ["all"], adminToken).token;
  }
  await store.save();

  const context: DevGiteaContext = { store, reposDir, urls: { root: "" }, exclusive: createExclusive() };
  const routes = [...userRoutes(context), ...repoRoutes(context)];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", context.urls.root);
    const principal = authenticate(req, url, store);
    const smart = url.pathname.match(SMART_HTTP);
    if (smart) return serveSmartHttp(context, req, res, url, principal, smart);
    if (!url.pathname.startsWith("/api/v1/")) throw new HttpError(404, "Not found");
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
    adminUsername,
    adminToken,
    reposDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.save();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}
