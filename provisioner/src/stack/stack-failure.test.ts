import { describe, expect, it } from "vitest";
import { FlyApiError } from "../fly/fly-errors";
import { failureReason, StackFailure, unregistered } from "./stack-failure";

describe("failureReason", () => {
  it("passes on messages meant for users: stack failures and Fly errors", () => {
    expect(failureReason(new StackFailure("gitea did not become healthy within 15 s"))).toBe(
      "gitea did not become healthy within 15 s",
    );
    expect(failureReason(new FlyApiError("create machine", 503, ""))).toBe(
      "Fly create machine failed: HTTP 503",
    );
  });

  it("hides anything else, which may hold internals", () => {
    expect(failureReason(new Error("connect ECONNREFUSED postgres://user:secret@db"))).toBe(
      "internal error while provisioning",
    );
    expect(failureReason("thrown string")).toBe("internal error while provisioning");
  });

  it("says a gateway store failure to the user, keeping the cause for operators", () => {
    const cause = new Error("db down");
    let thrown: unknown;
    try {
      unregistered(cause);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StackFailure);
    expect((thrown as StackFailure).cause).toBe(cause);
    expect(failureReason(thrown)).toMatch(/model credential could not be registered/);
  });
});
