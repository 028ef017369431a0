import { UpstreamError, type UpstreamErrorKind } from "../../../platform/upstream-error";

/**
 * A failed Fly Machines API call after retries: an `UpstreamError` of service `"fly"` (its `kind` from the one
 * status mapping, `upstreamKindForStatus`: a 408 from `machines.wait` is `unavailable`, status 0 the network).
 * Never carries the API token or request bodies (secrets).
 */
export class FlyApiError extends UpstreamError {
  constructor(
    operation: string,
    status: number,
    detail: string,
    readonly attempts = 1,
  ) {
    super({ service: "fly", operation, status, detail });
    this.name = "FlyApiError";
  }
}

export const isFlyError = (error: unknown, kind?: UpstreamErrorKind): error is FlyApiError =>
  error instanceof FlyApiError && (kind === undefined || error.kind === kind);
