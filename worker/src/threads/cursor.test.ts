import { describe, expect, it } from "vitest";
import { decodeIdCursor, decodeSeqCursor, encodeCursor } from "./cursor";

describe("page cursors", () => {
  it("round-trip ids and seqs through an opaque, URL-safe string", () => {
    const id = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b";
    const cursor = encodeCursor(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeIdCursor(cursor)).toBe(id);
    expect(decodeSeqCursor(encodeCursor(1234))).toBe(1234);
  });

  it("treat absence as the first page", () => {
    expect(decodeIdCursor(undefined)).toBeUndefined();
    expect(decodeSeqCursor(undefined)).toBe(0);
  });

  it.each(["garbage!!", encodeCursor(-1), encodeCursor("not-a-uuid"), encodeCursor(1.5), "eyJ2Ijp7fX0"])(
    "reject %s with invalid_cursor",
    (bad) => {
      const attempt = () => {
        decodeSeqCursor(bad);
        decodeIdCursor(bad);
      };
      expect(attempt).toThrow(expect.objectContaining({ status: 400, code: "invalid_cursor" }));
    },
  );
});
