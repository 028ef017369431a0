/**
 * The one kind of error for a failed call to an external service: Fly's Machines API, Gitea, Stripe and the
 * model (Anthropic). Each client throws it (or a subclass keeping its own name and fields: `GiteaError`,
 * `FlyApiError`), so callers decide by `kind` (one set, one status mapping) and never by service. Where a failure
 * reaches a client, `worker/src/http/api-errors.ts` (or the gateway's Anthropic-shaped answers) decides what it is
 * told; this error only says what happened upstream.
 */

export type UpstreamService = "fly" | "gitea" | "stripe" | "model";

/** Why an upstream call failed, in terms callers act on. */
export type UpstreamErrorKind =
  | "unauthorized" // 401: our credentials are missing or wrong
  | "forbidden" // 403: authenticated but not allowed
  | "not_found" // 404 (Gitea also answers 404 for private repositories you cannot see)
  | "conflict" // 409, 412: the state changed under us (a name taken, a lease held, a SHA moved)
  | "invalid" // 400, 422: the request is refused as it is
  | "rate_limited" // 429 (after the client's own retries)
  | "unavailable" // the network (status 0), 408, 5xx (after the client's own retries)
  | "unexpected"; // anything else, e.g. a 2xx without the body it must have

export function upstreamKindForStatus(status: number): UpstreamErrorKind {
  if (status === 0 || status === 408 || status >= 500) return "unavailable";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409 || status === 412) return "conflict";
  if (status === 400 || status === 422) return "invalid";
  if (status === 429) return "rate_limited";
  return "unexpected";
}

/** Worth another attempt later: the same request may well succeed then. */
const isRetryableKind = (kind: UpstreamErrorKind): boolean =>
  kind === "rate_limited" || kind === "unavailable";

const SERVICE_LABELS: Record<UpstreamService, string> = {
  fly: "Fly",
  gitea: "Gitea",
  stripe: "Stripe",
  model: "Model",
};

const MAX_DETAIL = 500;

/**
 * Credentials that could slip into an upstream's message or a network error's text (a URL with a password, an
 * echoed header, a key in a query string), replaced. The clients send credentials only in headers, which never
 * become part of an error; this is the second line.
 */
export function redactCredentials(text: string): string {
  return (
    text
      // user:password@ or a bare token@ in a URL
      .replace(/\/\/[^/\s@]+@/g, "//[redacted]@")
      // "token": "…" and the like in a JSON body
      .replace(
        /("(?:access_token|token|api_key|apikey|key|password|secret|sha1)"\s*:\s*")[^"]*"/gi,
        '$1[redacted]"',
      )
      // Authorization-style values: `Bearer …`, `Basic …`, `token …`, `FlyV1 …` (only values with a digit, so a
      // sentence like "token required" stays)
      .replace(/\b(Bearer|Basic|token|FlyV1)\s+(?=[\w.~+/=,-]*\d)[\w.~+/=,-]{12,}/gi, "$1 [redacted]")
      // keys with a known prefix: Stripe, Anthropic, Fly
      .replace(/\b(sk|rk|pk)_(live|test)_\w+/g, "$1_$2_[redacted]")
      .replace(/\bwhsec_\w+/g, "whsec_[redacted]")
      .replace(/\bsk-ant-[\w-]+/g, "sk-ant-[redacted]")
      .replace(/\bfm\d_[\w+/=-]+/g, "[redacted]")
      // secrets in a query string
      .replace(/([?&](?:access_token|token|api_key|apikey|key|password|secret)=)[^&\s#]+/gi, "$1[redacted]")
  );
}

export interface UpstreamErrorInit {
  service: UpstreamService;
  /** What was being done, e.g. `"write file"`, `"machines.create"`: never a URL with parameters. */
  operation: string;
  /** The upstream's HTTP status; 0 when no answer came (the network, a timeout). */
  status: number;
  /** The upstream's own words (or the network error's), shortened and with credentials redacted. */
  detail?: string;
  /** A service-specific reading where the status alone says too little (Stripe's error classes, say). */
  kind?: UpstreamErrorKind;
  /** The upstream's `Retry-After`, in ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A failed call to Fly, Gitea, Stripe or the model. The message never carries a credential. */
export class UpstreamError extends Error {
  readonly service: UpstreamService;
  readonly operation: string;
  readonly status: number;
  readonly kind: UpstreamErrorKind;
  readonly retryAfterMs?: number;
  /** `detail` as given, redacted and shortened: what the upstream said. */
  readonly detail: string;

  constructor(init: UpstreamErrorInit) {
    const detail = shorten(redactCredentials(init.detail ?? ""));
    const what = init.status === 0 ? "network error" : `HTTP ${init.status}`;
    super(
      `${SERVICE_LABELS[init.service]} ${init.operation} failed: ${what}${detail ? `: ${detail}` : ""}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "UpstreamError";
    this.service = init.service;
    this.operation = init.operation;
    this.status = init.status;
    this.kind = init.kind ?? upstreamKindForStatus(init.status);
    this.detail = detail;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** Worth another attempt later (rate limited or unavailable). */
  get retryable(): boolean {
    return isRetryableKind(this.kind);
  }
}

const shorten = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text);
