/** What went wrong talking to Fly, in terms a caller can act on. */
export type FlyErrorKind =
  | "bad_request"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "timeout"
  | "rate_limited"
  | "unavailable"
  | "network"
  | "unexpected";

export function kindForStatus(status: number): FlyErrorKind {
  if (status === 400 || status === 422) return "bad_request";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 409 || status === 412) return "conflict";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  return "unexpected";
}

/** A failed Fly Machines API call after retries. Never carries the API token or request bodies (secrets). */
export class FlyApiError extends Error {
  readonly kind: FlyErrorKind;
  constructor(
    readonly operation: string,
    readonly status: number,
    detail: string,
    readonly attempts = 1,
  ) {
    const kind = status === 0 ? "network" : kindForStatus(status);
    super(
      `Fly ${operation} failed: ${status === 0 ? "network error" : `HTTP ${status}`}${detail ? ` (${detail})` : ""}`,
    );
    this.name = "FlyApiError";
    this.kind = kind;
  }

  /** Worth trying again later (the provisioner's own retry, not the client's). */
  get transient(): boolean {
    return (
      this.kind === "rate_limited" ||
      this.kind === "unavailable" ||
      this.kind === "network" ||
      this.kind === "timeout"
    );
  }
}

export const isFlyError = (error: unknown, kind?: FlyErrorKind): error is FlyApiError =>
  error instanceof FlyApiError && (kind === undefined || error.kind === kind);
