import type { Context } from "hono";
import { retryAfterSecondsOf } from "../../../contract/error-codes";
import type { AppEnv } from "../env";
import { asApiError } from "../http/api-errors";
import { type Refusal, refusal } from "./manager-routes";

/**
 * How the manager guard (manager-guard.ts) refuses: RivetKit's error shape (`{ group, code, message }`, JSON, which
 * its client reads whatever encoding it asked for). A check throws `Refused`; the guard answers with it.
 */

export class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

export function deny(refused: Refusal | undefined): void {
  if (refused) throw new Refused(refused);
}

/**
 * Any error met while guarding, as the refusal a client sees: what the REST API would answer with a code
 * (http/api-errors.ts, the one translation) keeps that status and code, a database outage is RivetKit's
 * `unavailable`, anything else a 500.
 */
export function toRefusal(error: unknown, c: Context<AppEnv>): Refusal {
  if (error instanceof Refused) return error.refusal;
  const api = asApiError(error);
  if (api?.code === "database_unavailable") {
    return {
      ...refusal(503, "unavailable", "The database is unreachable; try again shortly"),
      headers: { "Retry-After": String(retryAfterSecondsOf("unavailable")) },
    };
  }
  if (api && (api.status < 500 || api.status === 503)) {
    return { ...refusal(api.status as Refusal["status"], api.code, api.message), headers: api.headers };
  }
  c.var.log?.error("rivet guard failed", { error, stack: error instanceof Error ? error.stack : undefined });
  return { status: 500, group: "rivetkit", code: "internal_error", message: "An internal error occurred" };
}

export function refusedResponse(refused: Refusal): Response {
  const { group, code, message } = refused;
  return new Response(JSON.stringify({ group, code, message }), {
    status: refused.status,
    headers: { "content-type": "application/json", ...refused.headers },
  });
}
