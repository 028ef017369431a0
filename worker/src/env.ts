import type { RequestVariables } from "../../platform/request-context";
import type Provisioner from "../../provisioner/src/index";
import type { Database } from "../../schema/db";
import type { InternalActorEnv } from "./actors/internal-auth";
import type { AgentEnv } from "./agent/agent-config";
import type { AuthEnv } from "./auth/auth-config";
import type { BillingEnv } from "./billing/stripe-client";
import type { GitEnv } from "./git/git-manager";
import type { LiveHubEnv } from "./live/live-publisher";
import type { User } from "./users/ensure-user";

/** Bindings of the main Worker (wrangler.toml, secrets, and .dev.vars locally). See docs/configuration.md. */
export interface Env extends AuthEnv, GitEnv, AgentEnv, InternalActorEnv, BillingEnv, LiveHubEnv {
  DATABASE_URL: string;
  /** Local only: `host:port` of the dev WebSocket-to-TCP proxy in front of Postgres. */
  DB_WS_PROXY?: string;
  /** Comma-separated origins allowed to call the API from a browser. */
  CORS_ORIGINS?: string;
  /** Service binding to the provisioner Worker: RPC (ensureStack, stackStatus, …) and fetch (health). */
  PROVISIONER: Service<Provisioner>;
  /** Durable Objects hosting the RivetKit actors (growAgent, subAgent). */
  ACTOR_DO: DurableObjectNamespace;
  /** Workers Rate Limiting binding, keyed per user. */
  USER_RATE_LIMITER?: RateLimit;
  /**
   * Models the model gateway forwards for OpenCode machines (comma-separated); unset: any Claude model name.
   * The gateway uses ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL, like the Grow Agent.
   */
  MODEL_GATEWAY_MODELS?: string;
}

export type AppEnv = {
  Bindings: Env;
  Variables: RequestVariables & {
    db: Database;
    user: User;
    /** When the verified session token expires (ms since the epoch): long-lived responses end by then. */
    tokenExpiresAt: number;
  };
};
