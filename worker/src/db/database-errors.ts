/**
 * True when an error means "could not talk to the database" rather than "the query was wrong". Drizzle wraps the
 * driver error in `cause`; the driver reports transport failures only by message, so the messages are matched:
 * the WebSocket's, and over HTTP a failed fetch or a 5xx (a query's own error is a 400 with its SQLSTATE).
 */
const TRANSPORT_FAILURE =
  /websocket|connection (terminated|refused|lost|timeout)|network connection lost|econnrefused|econnreset|timeout expired|all attempts to open|connect(ion)? timed? ?out|error connecting to database|server error \(http status 5\d\d\)/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : typeof current === "string" ? current : "";
    if (TRANSPORT_FAILURE.test(message)) return true;
    // Neon's WebSocket error event carries no message of its own.
    if (
      typeof current === "object" &&
      current !== null &&
      "type" in current &&
      (current as Event).type === "error"
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

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
