import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "./base64url";

describe("base64url", () => {
  it("round-trips every byte value without padding or URL-unsafe characters", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64Url(bytes);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fromBase64Url(text)).toEqual(bytes);
  });

  it("encodes as RFC 4648 §5 does, and also reads standard padded base64", () => {
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe("-_8");
    expect(fromBase64Url("+/8=")).toEqual(new Uint8Array([0xfb, 0xff]));
  });

  it("refuses text that is not base64", () => {
    expect(() => fromBase64Url("not base64!")).toThrow();
  });
});
