import { describe, expect, it } from "vitest";
import { failureReason } from "./subagent-runner";

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
