import { describe, expect, it } from "vitest";
import { assertSameText, checkMessage, textOf } from "./message-intake";

const THREAD = "0190a0b0-c0d0-7e0f-8a0b-0c0d0e0f1a2b";

describe("checkMessage", () => {
  it.each([
    { name: "a plain message", threadId: THREAD, text: "hello", key: undefined, code: undefined },
    { name: "with a key", threadId: THREAD, text: "hello", key: "k-1", code: undefined },
    {
      name: "a thread id that is no UUID",
      threadId: "nope",
      text: "hello",
      key: undefined,
      code: "thread_not_found",
    },
    { name: "a bad id before a bad key", threadId: "nope", text: "", key: "", code: "thread_not_found" },
    { name: "an empty key", threadId: THREAD, text: "hello", key: "", code: "idempotency_key_invalid" },
    {
      name: "a key too long",
      threadId: THREAD,
      text: "hello",
      key: "k".repeat(201),
      code: "idempotency_key_invalid",
    },
    {
      name: "a key with a newline",
      threadId: THREAD,
      text: "hello",
      key: "a\nb",
      code: "idempotency_key_invalid",
    },
    { name: "only whitespace", threadId: THREAD, text: " \n\t", key: undefined, code: "message_empty" },
    { name: "too long", threadId: THREAD, text: "x".repeat(11), key: undefined, code: "message_too_long" },
  ])("$name", ({ threadId, text, key, code }) => {
    const check = checkMessage(threadId, text, key, 10);
    if (code === undefined) expect(check).toEqual({ kind: "ok" });
    else expect(check.kind === "refused" && check.error.code).toBe(code);
  });

  it("a NUL needs the thread looked up first", () => {
    expect(checkMessage(THREAD, "a\u0000b", undefined, 10)).toEqual({ kind: "has_nul" });
  });
});

describe("replays", () => {
  it("reads the text of stored content blocks", () => {
    expect(
      textOf([
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ]),
    ).toBe("ab");
    expect(textOf(null)).toBe("");
  });

  it("a resend with the same text is a replay; other text is a reused key", () => {
    const stored = { content: [{ type: "text", text: "hello" }] };
    expect(() => assertSameText(stored, "hello")).not.toThrow();
    expect(() => assertSameText(stored, "hello!")).toThrow(
      expect.objectContaining({ code: "idempotency_key_reused" }),
    );
  });
});
