import { describe, expect, it } from "vitest";
import { ApiError } from "../../../platform/api-error";
import { failureReason, runSubAgent } from "./subagent-runner";

describe("failureReason", () => {
  it("never passes a query's text or parameters on to the user", () => {
    const error = new Error(
      'Failed query: update "opencode_sessions" set "status" = $1\nparams: running,secret-id',
    );
    expect(failureReason(error)).toBe("The sub-agent's records could not be written (database unavailable)");
  });

  it("names an unreachable sandbox without its address, and hides URLs in other messages", () => {
    expect(failureReason(new TypeError("fetch failed"))).toBe("The sandbox (OpenCode) is unreachable");
    expect(failureReason(new Error("OpenCode refused the task at https://edge.example/x?pw=1 (500)"))).toBe(
      "OpenCode refused the task at <sandbox> (500)",
    );
  });
});

describe("runSubAgent when the stack may not start", () => {
  it("fails with the refusal's code and reason, and never reaches for the sandbox", async () => {
    let connected = false;
    const relayed: unknown[] = [];
    const outcome = await runSubAgent({
      task: "anything",
      signal: new AbortController().signal,
      ensureStack: () =>
        Promise.reject(
          new ApiError(
            "too_many_stack_starts",
            "The Free plan allows 4 stack starts an hour; retry in 60 seconds",
          ),
        ),
      connection: async () => {
        connected = true;
        return { baseUrl: "http://sandbox.invalid", headers: {} };
      },
      onSessionCreated: async () => {},
      relay: async (events) => {
        relayed.push(...events);
      },
    });
    expect(outcome).toMatchObject({
      status: "failed",
      error: "too_many_stack_starts: The Free plan allows 4 stack starts an hour; retry in 60 seconds",
    });
    expect(connected).toBe(false);
    expect(relayed).toEqual([{ type: "subagent.status", data: { status: "waking" } }]);
  });
});
