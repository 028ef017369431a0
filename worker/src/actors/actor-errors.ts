import { ActorNotFound, UserError } from "rivetkit/errors";
import { asApiError } from "../http/api-errors";

export const databaseUnavailable = () =>
  new UserError("The database is unreachable; try again shortly", { code: "unavailable" });

/**
 * What an action's failure becomes for the client: user errors as they are, and every error the REST API would
 * answer with a code (api-errors.ts) with that same code, so a code means the same on both paths. A database outage
 * is the retryable `unavailable` (with no internals) instead of RivetKit's `internal_error`. Anything else stays
 * an internal error.
 */
export function toActorError(error: unknown): never {
  if (error instanceof UserError) throw error;
  const api = asApiError(error);
  if (api?.code === "database_unavailable") throw databaseUnavailable();
  if (api) throw new UserError(api.message, { code: api.code });
  throw error;
}

/** No such actor: RivetKit's own error in process, `not_found` as its client reports it. */
export const isActorNotFound = (error: unknown): boolean =>
  error instanceof ActorNotFound || (error as { code?: string } | undefined)?.code === "not_found";
