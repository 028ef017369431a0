import type { MiddlewareHandler } from "hono";
import { secretOf } from "../actors/internal-auth";
import { readAgentConfig } from "../agent/agent-config";
import type { AppEnv, Env } from "../env";

const checked = new WeakSet<object>();

/**
 * Reads every setting once per isolate before the first request is served, so a var set to something invalid
 * fails every request with 503 `misconfigured` naming it (and the log line says what is wrong) from the start,
 * not when some rarely used path first reads it.
 */
export const checkConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const env: Env = c.env;
  if (!checked.has(env)) {
    readAgentConfig(env);
    secretOf(env);
    checked.add(env);
  }
  await next();
};
