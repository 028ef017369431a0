import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-errors";

const wrapped = (cause: unknown, query = "select 1", params: unknown[] = []) =>
  new DrizzleQueryError(query, params, cause as Error);
const timeout = () =>
  Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
/** A Postgres error as the driver gives it: a SQLSTATE and a severity. */
const withCode = (message: string, code: string, severity = "ERROR") =>
  Object.assign(new Error(message), { code, severity });

describe("isDatabaseUnavailable", () => {
  it.each([
    wrapped(new Error("Connection terminated unexpectedly")),
    wrapped(new Error("timeout expired")),
    wrapped(new Error("Network connection lost.")),
    wrapped(new Error("All attempts to open a WebSocket to connect to the database failed")),
    wrapped({ type: "error" }),
    wrapped(new Error("Error connecting to database: TypeError: fetch failed")),
    wrapped(new Error("Server error (HTTP status 503): service unavailable")),
    wrapped(new Error("Server error (HTTP status 500): could not connect to compute")),
    wrapped(timeout()),
    wrapped(withCode("terminating connection due to administrator command", "57P01", "FATAL")),
    wrapped(withCode("the database system is starting up", "57P03", "FATAL")),
    wrapped(withCode("sorry, too many clients already", "53300", "FATAL")),
    wrapped(withCode("connection failure", "08006")),
    // Neon's proxy on the WebSocket path: its own failures come as XX000.
    wrapped(withCode("Couldn't connect to compute node: Connection refused (os error 111)", "XX000")),
    wrapped(withCode("Too many database connection attempts to this endpoint", "XX000")),
  ])("recognises transport failures (%#)", (error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("does not mistake query errors for an outage", () => {
    const uniqueViolation = withCode("duplicate key value violates unique constraint", "23505");
    expect(isDatabaseUnavailable(wrapped(uniqueViolation))).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    // A result too large or a request too large fails the same way every time: no retry.
    expect(
      isDatabaseUnavailable(wrapped(new Error("Server error (HTTP status 507): response is too large"))),
    ).toBe(false);
    expect(isDatabaseUnavailable(wrapped(new Error("Server error (HTTP status 413): too large")))).toBe(
      false,
    );
  });

  it("does not read the words of the query or its parameters as an outage", () => {
    const pasted = "my log says: connection refused, ECONNREFUSED, Server error (HTTP status 502)";
    const invalid = withCode("invalid byte sequence for encoding", "22021");
    expect(isDatabaseUnavailable(wrapped(invalid, "insert into notes (text) values ($1)", [pasted]))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(wrapped(invalid, `select '${pasted}'`))).toBe(false);
  });

  it("judges a Postgres error by its SQLSTATE, not by the input its message quotes", () => {
    const quoted = withCode('invalid input syntax for type uuid: "connection refused"', "22P02");
    expect(isDatabaseUnavailable(wrapped(quoted))).toBe(false);
    expect(isDatabaseUnavailable(quoted)).toBe(false);
    // An internal error says nothing by its code: its message decides (here: not a transport failure).
    expect(isDatabaseUnavailable(wrapped(withCode("could not open relation", "XX000")))).toBe(false);
    // Node's own codes are not SQLSTATEs, even when five characters long: the message decides.
    const pipe = Object.assign(new Error("write EPIPE: connection terminated"), { code: "EPIPE" });
    expect(isDatabaseUnavailable(wrapped(pipe))).toBe(true);
  });

  it("does not call the Workers subrequest cap an outage: the same work would hit it again", () => {
    const capped = new Error("Error connecting to database: Error: Too many subrequests.");
    expect(isDatabaseUnavailable(wrapped(capped))).toBe(false);
  });

  it("counts a timeout or an abort as the database's only inside a query", () => {
    expect(isDatabaseUnavailable(wrapped(timeout()))).toBe(true);
    expect(isDatabaseUnavailable(timeout())).toBe(false);
    const aborted = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
    expect(isDatabaseUnavailable(new Error("provisioner call failed", { cause: aborted }))).toBe(false);
    expect(isDatabaseUnavailable(wrapped(aborted))).toBe(true);
  });
});
