/** Why a Gitea call failed, in terms callers act on (the memory service maps these to its own HTTP answers). */
export type GiteaErrorKind =
  | "unauthorized" // 401: missing or wrong credentials
  | "forbidden" // 403: authenticated but not allowed (scope, admin, not a collaborator)
  | "not_found" // 404 (Gitea also answers 404 for private repositories you cannot see)
  | "conflict" // 409 (e.g. an empty repository has no commits)
  | "invalid" // 400 / 422: bad input, already exists, SHA mismatch
  | "rate_limited" // 429 after retries
  | "unavailable" // 5xx after retries, or the network
  | "unexpected"; // anything else

export function kindForStatus(status: number): GiteaErrorKind {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 400 || status === 422) return "invalid";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  return "unexpected";
}

/**
 * A failed Gitea call. The message names the operation and Gitea's own message, never a credential: requests
 * carry tokens and passwords only in headers, which are not part of the error.
 */
export class GiteaError extends Error {
  readonly kind: GiteaErrorKind;
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly giteaMessage: string,
    readonly retryAfterMs?: number,
  ) {
    super(`Gitea ${operation} failed: ${status === 0 ? "network error" : `HTTP ${status}`}: ${giteaMessage}`);
    this.name = "GiteaError";
    this.kind = status === 0 ? "unavailable" : kindForStatus(status);
  }
}

/** Gitea's error body is `{ "message": "…", "url": "…" }`; fall back to the status text otherwise. */
export function giteaMessageOf(body: unknown, fallback: string): string {
  const message =
    typeof body === "object" && body !== null && "message" in body && typeof body.message === "string"
      ? body.message
      : fallback;
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
