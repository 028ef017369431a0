import { UserError } from "rivetkit/errors";
import { ApiError } from "../../../platform/api-error";
import { isDatabaseUnavailable } from "../db/database-errors";

/** Seconds a client should wait before retrying after `unavailable` (the REST routes send it as Retry-After). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = () =>
  new UserError("The database is unreachable; try again shortly", { code: "unavailable" });

/**
 * What an action's failure becomes for the client: user errors as they are, API errors with their code, and a
 * database outage as the retryable `unavailable` (with no internals) instead of RivetKit's `internal_error`.
 * Anything else stays an internal error.
 */
export function toActorError(error: unknown): never {
  if (error instanceof UserError) throw error;
  if (error instanceof ApiError) throw new UserError(error.message, { code: error.code });
  if (isDatabaseUnavailable(error)) throw databaseUnavailable();
  throw error;
}
