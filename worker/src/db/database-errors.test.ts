import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-errors";

const wrapped = (cause: unknown, query = "select 1", params: unknown[] = []) =>
  new DrizzleQueryError(query, params, cause as Error);
const timeout = () =>
  Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

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
    wrapped(withCode("terminating connection due to administrator command", "57P01")),
    wrapped(withCode("the database system is starting up", "57P03")),
    wrapped(withCode("sorry, too many clients already", "53300")),
    wrapped(withCode("connection failure", "08006")),
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
});
