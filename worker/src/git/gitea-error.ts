import { UpstreamError } from "../../../platform/upstream-error";

/**
 * A failed Gitea call: an `UpstreamError` of service `"gitea"` (its `kind` from the one status mapping,
 * `upstreamKindForStatus`; status 0 is the network). The message names the operation and Gitea's own message,
 * never a credential: requests carry tokens and passwords only in headers, which are not part of the error.
 */
export class GiteaError extends UpstreamError {
  /** Gitea's own message (redacted, shortened): what api-errors.ts and the memory outbox may show. */
  readonly giteaMessage: string;
  constructor(operation: string, status: number, giteaMessage: string, retryAfterMs?: number) {
    super({ service: "gitea", operation, status, detail: giteaMessage, retryAfterMs });
    this.name = "GiteaError";
    this.giteaMessage = this.detail;
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
