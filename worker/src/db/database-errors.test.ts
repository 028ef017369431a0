import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-errors";

const wrapped = (cause: unknown) => Object.assign(new Error("Failed query: select 1\nparams: "), { cause });

describe("isDatabaseUnavailable", () => {
  it.each([
    wrapped(new Error("Connection terminated unexpectedly")),
    wrapped(new Error("timeout expired")),
    wrapped(new Error("Network connection lost.")),
    wrapped(new Error("All attempts to open a WebSocket to connect to the database failed")),
    wrapped({ type: "error" }),
    wrapped(new Error("Error connecting to database: TypeError: fetch failed")),
    wrapped(new Error("Server error (HTTP status 503): endpoint is disabled")),
  ])("recognises transport failures (%#)", (error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("does not mistake query errors for an outage", () => {
    const uniqueViolation = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
    });
    expect(isDatabaseUnavailable(wrapped(uniqueViolation))).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(wrapped(new Error("Server error (HTTP status 413): too large")))).toBe(
      false,
    );
  });
});
