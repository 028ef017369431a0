/**
 * Every error code a client can receive, with the HTTP status it travels with and, for retryable ones, how long to
 * wait. One table for the Worker's REST errors, the actors' errors (the same codes, carried by RivetKit's
 * UserError) and the SPA, so a code means the same thing on every path. docs/api.md lists them for API consumers.
 */
export const ERROR_CODES = {
  // The request itself
  bad_request: { status: 400 },
  invalid_request: { status: 400 },
  invalid_cursor: { status: 400 },
  message_empty: { status: 400 },
  message_too_long: { status: 400 },
  message_invalid: { status: 400 },
  idempotency_key_invalid: { status: 400 },
  invalid_path: { status: 400 },
  path_too_long: { status: 400 },
  forbidden_path: { status: 400 },
  invalid_content: { status: 400 },
  invalid_batch: { status: 400 },
  invalid_schedule: { status: 400 },
  missing_signature: { status: 400 },
  invalid_signature: { status: 400 },
  invalid_payload: { status: 400 },
  content_too_large: { status: 413 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  idempotency_key_reused: { status: 422 },
  memory_write_failed: { status: 422 },
  // Who is asking
  unauthorized: { status: 401 },
  missing_token: { status: 401 },
  invalid_token: { status: 401 },
  token_expired: { status: 401 },
  token_not_yet_valid: { status: 401 },
  forbidden: { status: 403 },
  // What they ask for
  not_found: { status: 404 },
  thread_not_found: { status: 404 },
  actor_not_found: { status: 404 },
  subagent_not_found: { status: 404 },
  memory_not_found: { status: 404 },
  billing_account_not_found: { status: 404 },
  // One answer for a share link that never existed, was revoked or has expired: no oracle.
  share_not_found: { status: 404 },
  schedule_not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  conflict: { status: 409 },
  cannot_stop_grow_agent: { status: 409 },
  already_subscribed: { status: 409 },
  too_many_shares: { status: 409 },
  // Regenerate: a turn runs or waits in the thread, or its last message has no reply to replace.
  turn_running: { status: 409 },
  nothing_to_regenerate: { status: 409 },
  allowance_exceeded: { status: 402 },
  // The plan's schedule limits (worker/src/schedules/): upgrade, or delete a schedule.
  too_many_schedules: { status: 402 },
  schedule_runs_exhausted: { status: 402 },
  // Limits: retry later (a limit with a window of its own sends that window as Retry-After instead)
  rate_limited: { status: 429, retryAfterSeconds: 60 },
  too_many_streams: { status: 429, retryAfterSeconds: 5 },
  too_many_stack_starts: { status: 429, retryAfterSeconds: 60 },
  // A dependency is down: retry later
  service_unavailable: { status: 503, retryAfterSeconds: 5 },
  unavailable: { status: 503, retryAfterSeconds: 5 },
  database_unavailable: { status: 503, retryAfterSeconds: 5 },
  auth_unavailable: { status: 503, retryAfterSeconds: 5 },
  memory_unavailable: { status: 503, retryAfterSeconds: 5 },
  // The user's Gitea machine is being started (a read L2 could not answer): retry shortly.
  memory_waking: { status: 503, retryAfterSeconds: 2 },
  provisioner_unavailable: { status: 503, retryAfterSeconds: 5 },
  billing_unavailable: { status: 503, retryAfterSeconds: 5 },
  actors_unavailable: { status: 503, retryAfterSeconds: 30 },
  stack_failed: { status: 503, retryAfterSeconds: 30 },
  misconfigured: { status: 503, retryAfterSeconds: 60 },
  // Ours
  unprocessable_entity: { status: 422 },
  internal_error: { status: 500 },
} as const satisfies Record<string, { status: number; retryAfterSeconds?: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === "string" && Object.hasOwn(ERROR_CODES, code);

type RetryableCode = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C] extends { retryAfterSeconds: number } ? C : never;
}[ErrorCode];

/** Seconds to wait before retrying after `code`, for retryable codes. */
export function retryAfterSecondsOf(code: RetryableCode): number;
export function retryAfterSecondsOf(code: ErrorCode): number | undefined;
export function retryAfterSecondsOf(code: ErrorCode): number | undefined {
  const entry: { status: number; retryAfterSeconds?: number } = ERROR_CODES[code];
  return entry.retryAfterSeconds;
}
