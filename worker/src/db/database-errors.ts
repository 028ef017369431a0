/**
 * True when an error means "could not talk to the database" rather than "the query was wrong". Drizzle wraps the
 * driver error in `cause`. A Postgres error is judged by its SQLSTATE alone, since its message may quote the
 * query's input. Transport failures have no code, so their messages are matched: the WebSocket's, and over HTTP a
 * failed or timed-out fetch or a 5xx from the endpoint. Drizzle's wrapper is skipped: its message holds the query
 * and its parameters, which may contain any of these words.
 */
const TRANSPORT_FAILURE =
  /websocket|connection (terminated|refused|lost|timeout)|network connection lost|econnrefused|econnreset|timeout expired|all attempts to open|connect(ion)? timed? ?out|couldn't connect to compute node|too many database connection attempts/i;
/** The driver's own words for the HTTP path (`neon()`, Pool.query with `poolQueryViaFetch`). */
const HTTP_FAILURE = /^(Error connecting to database: |Server error \(HTTP status 50[0234]\))/;
/**
 * Workers' cap on subrequests per invocation (each query over HTTP is one): the same work fails the same way
 * again, so it is not an outage to retry after.
 */
const SUBREQUEST_LIMIT = /too many subrequests/i;
/**
 * A SQLSTATE that says what went wrong: five characters, its class first (Node's own codes such as EPIPE come
 * without a severity). Not XX000: Neon's proxy sends its own failures (the compute cannot be reached, too many
 * connections) as XX000, so only their message tells.
 */
const SQLSTATE = /^(?!XX000)[0-9A-Z]{5}$/;
/**
 * SQLSTATEs the server answers when it cannot serve anyone right now, not because of the query: connection
 * exceptions (class 08), an administrator's or crash shutdown, "cannot connect now" while starting, and too many
 * connections. Over HTTP Neon passes them on as a 400 with the code.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

export function isDatabaseUnavailable(error: unknown): boolean {
  let inQuery = false;
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const fields = typeof current === "object" && current !== null ? current : {};
    const { name, code, severity, type } = fields as Record<string, unknown>;
    if (typeof severity === "string" && typeof code === "string" && SQLSTATE.test(code)) {
      return UNAVAILABLE_SQLSTATE.test(code);
    }
    if (isDrizzleWrapper(current)) {
      inQuery = true;
    } else {
      const message = current instanceof Error ? current.message : typeof current === "string" ? current : "";
      if (SUBREQUEST_LIMIT.test(message)) return false;
      if (TRANSPORT_FAILURE.test(message) || HTTP_FAILURE.test(message)) return true;
    }
    // A query given up by its timeout, when the driver passes the error on unwrapped; an abort elsewhere (a
    // provisioner or Gitea call) is not the database's.
    if (inQuery && (name === "TimeoutError" || name === "AbortError")) return true;
    // Neon's WebSocket error event carries no message of its own.
    if (type === "error") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const isDrizzleWrapper = (error: unknown) =>
  error instanceof Error &&
  "query" in error &&
  "params" in error &&
  error.message.startsWith("Failed query:");

/** The driver's error (Drizzle wraps it in `cause`), if any in the chain has this SQLSTATE. */
function findSqlState(error: unknown, code: string): { column?: unknown } | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === code) return current as { column?: unknown };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the database refused a row because it clashes with a unique constraint (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown): boolean => findSqlState(error, "23505") !== undefined;

/** True when the database refused a null in `column` (SQLSTATE 23502). */
export const isNotNullViolation = (error: unknown, column: string): boolean =>
  findSqlState(error, "23502")?.column === column;
