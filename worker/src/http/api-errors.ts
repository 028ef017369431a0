import { isErrorCode } from "../../../contract/error-codes";
import { ApiError } from "../../../platform/api-error";
import { ConfigError } from "../../../platform/config";
import { isDatabaseUnavailable } from "../db/database-errors";
import { GitNotConfiguredError } from "../git/git-manager";
import { GiteaError } from "../git/gitea-error";
import { MemoryPathError } from "../git/memory-paths";

/**
 * The one place a domain error becomes what a client is told: its registered code (contract/error-codes.ts gives
 * the status and Retry-After). Used by the app's error handler for every REST route and by the actors
 * (actor-errors.ts) for their callers, so routes hold no mapping of their own. Undefined: not a client's error (a
 * 500, logged).
 */
export function asApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  // The variable's name only: which setting is wrong is no secret, its value might be.
  if (error instanceof ConfigError)
    return new ApiError("misconfigured", `The server setting ${error.variable} is invalid`);
  if (error instanceof MemoryPathError) return new ApiError(error.code, error.message);
  if (isDatabaseUnavailable(error)) {
    return new ApiError("database_unavailable", "The database is unreachable; try again shortly");
  }
  if (error instanceof GitNotConfiguredError) {
    return new ApiError("memory_unavailable", "Memory storage is not configured on this server");
  }
  if (error instanceof GiteaError) return fromGitea(error);
  // An actor's refusal reaching the Worker that called it: the actor already chose a registered code.
  if (isActorError(error) && isErrorCode(error.code)) return new ApiError(error.code, error.message);
  return undefined;
}

function fromGitea(error: GiteaError): ApiError | undefined {
  // E.g. reading a path that is a directory in git: an answer about the path, not a server failure.
  if (error.kind === "invalid") return new ApiError("invalid_path", error.giteaMessage);
  // Rate limited or unavailable (the one upstream-error kind, platform/upstream-error.ts).
  if (error.retryable) {
    return new ApiError("memory_unavailable", "Memory storage is unreachable; try again shortly");
  }
  return undefined;
}

/**
 * A refusal an actor chose (RivetKit's client-side `ActorError` of group `user`, i.e. a `UserError`); RivetKit's
 * own errors (internal, not found) stay 500s. Checked by shape: the class reaches the Worker from more than one
 * of RivetKit's bundles, so `instanceof` against one import misses the others.
 */
function isActorError(error: unknown): error is Error & { group: string; code: string } {
  return (
    error instanceof Error &&
    (error as { group?: unknown }).group === "user" &&
    typeof (error as { code?: unknown }).code === "string"
  );
}
