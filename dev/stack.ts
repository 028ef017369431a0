import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../schema/migrate";
import { startWsProxy, type WsProxy } from "../schema/ws-proxy";
import type { DevFly } from "./fly/fly-server";
import type { ImageRunner } from "./fly/images";
import { loadOrCreateGiteaSecrets } from "./gitea/dev-secrets";
import { type DevIssuer, startDevIssuer } from "./issuer/issuer-server";
import { loadOrCreateSigningKey } from "./issuer/signing-key";
import type { DevModel, DevModelOptions } from "./model/model-server";
import { startEmbeddedPostgres } from "./pglite-server";
import { freePort } from "./ports";
import { waitForHttp } from "./processes";
import { startReadyChild } from "./ready-child";
import { startFly, startModel, startStripe } from "./side-services";
import { loadOrCreateSecretsKey } from "./stack-secrets";
import type { DevStripe } from "./stripe/stripe-server";
import { startWeb } from "./vite-dev";
import { startWorkers } from "./wrangler-dev";
import { wranglerReloader } from "./wrangler-reload";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const DEV_ISSUER_PORT = 8790;
export const DEV_WEB_ORIGIN = "http://127.0.0.1:5173";

export interface StackOptions {
  /** Use this Postgres instead of the embedded one. */
  databaseUrl?: string;
  /** Embedded Postgres data directory; omitted means an in-memory database. */
  pgDataDir?: string;
  pgPort?: number;
  /**
   * Run the embedded (in-memory) Postgres in a child process, so its WASM queries do not block this process's
   * event loop: for benchmarks and load runs whose clients and probes live in this process.
   */
  databaseInChildProcess?: boolean;
  proxyPort?: number;
  apiPort?: number;
  /** Start the Vite dev server for web/ on this port. */
  webPort?: number;
  issuerPort?: number;
  /** Where the dev issuer keeps its signing key; omitted means a fresh key for this run. */
  issuerKeyFile?: string;
  /** Browser origins: tokens' `azp` (the first one) and the API's CORS allow-list. */
  webOrigins?: string[];
  /**
   * Keeps GITEA_TOKEN_KEY (which seals the per-user Gitea tokens in `repos`) across runs; omitted means a fresh
   * one. Each user's Gitea is their own dev/fly machine (dev/gitea), as in production.
   */
  giteaSecretsFile?: string;
  /** GITEA_TOKEN_KEY for the Worker; omitted means the one in `giteaSecretsFile` (or a fresh one). */
  giteaTokenKey?: string;
  /** Where wrangler keeps local Durable Object / KV state, and where the generated env file goes. */
  stateDir: string;
  /** Image tag → local process for dev/fly (tests swap in fast placeholders); default: real OpenCode. */
  flyImages?: Record<string, ImageRunner>;
  /** Where dev/fly keeps its machines (their volumes, OpenCode's data); default `<stateDir>/fly`. */
  flyStateDir?: string;
  /** Extra provisioner settings (e.g. a short STACK_HEALTH_TIMEOUT_SECONDS in tests). */
  provisionerVars?: Record<string, string>;
  /** Options for dev/model (started unless ANTHROPIC_API_KEY is set), e.g. an `onEvent` probe for benchmarks. */
  devModel?: Pick<DevModelOptions, "deltaDelayMs" | "onEvent" | "port">;
  /** Extra Worker settings (e.g. AGENT_MAX_MESSAGE_CHARS in tests). */
  workerVars?: Record<string, string>;
  /** Receives every output line of every service. */
  log: (service: string, line: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  webUrl?: string;
  databaseUrl: string;
  /** `host:port` of the Neon WebSocket proxy, for tests that inspect the database directly. */
  wsProxy: string;
  /** Mints session tokens the Workers accept. */
  issuer: DevIssuer;
  /** The local Machines API (unset when FLY_API_TOKEN points the provisioner at real Fly). */
  fly?: DevFly;
  /** The local Messages API (unset when ANTHROPIC_API_KEY points the agent at Claude). */
  model?: DevModel;
  /** The local Stripe API (unset when STRIPE_SECRET_KEY points the Worker at Stripe). */
  stripe?: DevStripe;
  /**
   * The database unreachable for `forMs`: the Neon WebSocket proxy closes (open connections drop, new ones are
   * refused) and comes back on the same address, with Postgres and its data untouched. For fault runs.
   */
  interruptDatabase(forMs: number): Promise<void>;
  /**
   * Every user's Gitea machine unreachable through dev/fly's edge for `forMs` (the machines keep running and
   * their data); resolves when it is over. No-op against real Fly. For fault runs.
   */
  interruptGit(forMs: number): Promise<void>;
  /** Stops only the database (embedded) and the proxy, leaving the Workers up: for outage tests. */
  stopDatabase(): Promise<void>;
  /**
   * Stops `wrangler dev` and starts it again on the same port with the same persisted Durable Object state,
   * as a deploy or a crash would: for tests that actors come back with their state.
   */
  restartWorkers(): Promise<void>;
  /**
   * Reloads both Workers inside the running `wrangler dev`, as an edit of their code does (a new workerd: every
   * isolate and Durable Object starts again, as after a deploy), leaving no file changed; resolves once it serves
   * again. For fault runs (dev/wrangler-reload.ts).
   */
  reloadWorkers(): Promise<void>;
  /** `wrangler dev`'s inspector (Chrome DevTools Protocol) for both Workers, e.g. for a CPU profile. */
  inspectorUrl(): string;
  stop(): Promise<void>;
}

/**
 * The whole app on one machine: Postgres (embedded unless `databaseUrl`), the WebSocket proxy the Neon driver
 * needs, migrations, both Workers in one `wrangler dev` (so the service binding connects), and optionally Vite.
 * Used by `npm run dev`, the end-to-end tests and the benchmarks alike.
 */
export async function startLocalStack(options: StackOptions): Promise<LocalStack> {
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
    started.length = 0;
  };

  try {
    await mkdir(options.stateDir, { recursive: true });

    /** Set when this stack started the database (not when it was given a `databaseUrl`). */
    let closeDatabase: (() => Promise<void>) | undefined;
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl && options.databaseInChildProcess) {
      const child = await startReadyChild<{ databaseUrl: string }>("dev/db-server.ts");
      closeDatabase = child.stop;
      started.push(child.stop);
      databaseUrl = child.ready.databaseUrl;
      options.log("db", `embedded Postgres (PGlite) in a child process on ${databaseUrl}`);
    } else if (!databaseUrl) {
      const postgres = await startEmbeddedPostgres({ dataDir: options.pgDataDir, port: options.pgPort });
      closeDatabase = postgres.close;
      started.push(postgres.close);
      databaseUrl = postgres.databaseUrl;
      options.log(
        "db",
        `embedded Postgres (PGlite) on ${databaseUrl}${options.pgDataDir ? `, data in ${options.pgDataDir}` : ""}`,
      );
    }

    let proxy: WsProxy = await startWsProxy({
      port: options.proxyPort,
      allowedTargets: [databaseUrl],
      log: (line) => options.log("proxy", line),
    });
    // A closure over `proxy`, which interruptDatabase replaces.
    started.push(() => proxy.close());
    options.log("proxy", `Neon WebSocket proxy on ${proxy.address}`);

    await applyMigrations({ databaseUrl, wsProxy: proxy.address });
    options.log("db", "migrations applied");

    const webOrigins = options.webOrigins ?? [DEV_WEB_ORIGIN];
    const issuer = await startDevIssuer({
      key: await loadOrCreateSigningKey(options.issuerKeyFile),
      authorizedParty: webOrigins[0] ?? DEV_WEB_ORIGIN,
      port: options.issuerPort,
    });
    started.push(() => issuer.close());
    options.log("auth", `dev issuer on ${issuer.url} (JWKS at /.well-known/jwks.json)`);

    const giteaTokenKey =
      options.giteaTokenKey ?? (await loadOrCreateGiteaSecrets(options.giteaSecretsFile)).tokenKey;
    const fly = await startFly(options);
    if (fly.devFly) started.push(() => fly.devFly?.close() ?? Promise.resolve());
    const model = await startModel(options);
    if (model.devModel) started.push(() => model.devModel?.close() ?? Promise.resolve());
    const stripe = await startStripe(options);
    if (stripe.devStripe) started.push(() => stripe.devStripe?.close() ?? Promise.resolve());

    // Known before wrangler starts: the provisioner gives it to machines as their model gateway.
    const apiPort = options.apiPort ?? (await freePort());
    const workerVars = {
      ...fly.vars,
      ...model.vars,
      ...stripe.vars,
      STACK_SECRETS_KEY: process.env.STACK_SECRETS_KEY || (await loadOrCreateSecretsKey(options.stateDir)),
      // OpenCode machines reach the model only through the Worker's gateway (which forwards to dev/model or
      // Claude with the Worker's key); dev/fly's machines are local processes, so loopback reaches it.
      MODEL_GATEWAY_URL: process.env.MODEL_GATEWAY_URL || `http://127.0.0.1:${apiPort}/api/model-gateway`,
      ...options.provisionerVars,
      DATABASE_URL: databaseUrl,
      DB_WS_PROXY: proxy.address,
      CLERK_JWT_KEY: issuer.key.publicPem,
      CLERK_ISSUER: issuer.url,
      AUTHORIZED_PARTIES: webOrigins.join(","),
      CORS_ORIGINS: webOrigins.join(","),
      GITEA_TOKEN_KEY: giteaTokenKey,
      // Signs actor-to-actor calls (sub-agent → Grow Agent); fresh per stack, it only needs to match itself.
      ACTOR_INTERNAL_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
      ...options.workerVars,
    };
    const reloader = wranglerReloader();
    let workers = await startWorkers({ ...options, apiPort }, workerVars, reloader.onLine);
    started.push(() => workers.process.stop());
    // The port is known only now; events made before this wait in dev/stripe.
    stripe.devStripe?.setWebhookUrl(`${workers.apiUrl}/api/webhooks/stripe`);
    // No cron tick: usage reaches dev/stripe from the usage-reports alarm (wrangler dev runs alarms), a minute after
    // it is written; the daily cron is only a safety net (`/cdn-cgi/local/scheduled` runs it by hand).

    let webUrl: string | undefined;
    if (options.webPort !== undefined) {
      const web = startWeb(options.webPort, workers.apiUrl, issuer.url, (line) => options.log("web", line));
      started.push(() => web.stop());
      webUrl = `http://127.0.0.1:${options.webPort}`;
      await waitForHttp(webUrl, { timeoutMs: 30_000 });
    }

    return {
      apiUrl: workers.apiUrl,
      webUrl,
      databaseUrl,
      wsProxy: proxy.address,
      issuer,
      fly: fly.devFly,
      model: model.devModel,
      stripe: stripe.devStripe,
      async interruptGit(forMs: number) {
        fly.devFly?.interruptImage("gitea", forMs);
        await new Promise((resolve) => setTimeout(resolve, forMs));
      },
      async interruptDatabase(forMs: number) {
        const { port } = proxy;
        await proxy.close();
        await new Promise((resolve) => setTimeout(resolve, forMs));
        proxy = await startWsProxy({
          port,
          allowedTargets: [databaseUrl],
          log: (line) => options.log("proxy", line),
        });
      },
      async stopDatabase() {
        await proxy.close();
        await closeDatabase?.();
      },
      async restartWorkers() {
        await workers.process.stop();
        const apiPort = Number(new URL(workers.apiUrl).port);
        workers = await startWorkers({ ...options, apiPort }, workerVars, reloader.onLine);
      },
      reloadWorkers: () => reloader.reload(workers.watchedConfig),
      inspectorUrl: () => workers.inspectorUrl,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
