import type { RequestVariables } from "../../platform/request-context";
import type { Database } from "../../schema/db";

/** Bindings of the main Worker (wrangler.toml, secrets, and .dev.vars locally). */
export interface Env {
  DATABASE_URL: string;
  /** Local only: `host:port` of the dev WebSocket-to-TCP proxy in front of Postgres. */
  DB_WS_PROXY?: string;
  /** Service binding to the provisioner Worker. */
  PROVISIONER: Fetcher;
}

export type AppEnv = {
  Bindings: Env;
  Variables: RequestVariables & { db: Database };
};
