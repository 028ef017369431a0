import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_CHARS } from "../../../contract/actions";
import { checkLength } from "./message-limit";

describe("checkLength", () => {
  it("says nothing far from the limit", () => {
    expect(checkLength("hello", 100)).toEqual({ count: 5, over: false, label: "" });
  });
  it("counts near the limit and refuses past it", () => {
    expect(checkLength("a".repeat(95), 100)).toEqual({
      count: 95,
      over: false,
      label: "95 / 100 characters",
    });
    expect(checkLength("a".repeat(100), 100).over).toBe(false);
    expect(checkLength("a".repeat(103), 100)).toEqual({
      count: 103,
      over: true,
      label: "3 over the 100-character limit",
    });
  });
  it("counts what is sent (trimmed) against the agent's limit by default", () => {
    expect(checkLength(`  ${"a".repeat(MAX_MESSAGE_CHARS)}  `).over).toBe(false);
    expect(checkLength("a".repeat(MAX_MESSAGE_CHARS + 1))).toMatchObject({
      over: true,
      label: "1 over the 16,000-character limit",
    });
  });
});
