import { describe, expect, it } from "vitest";
import { hashShareToken, newShareToken, SHARE_TOKEN_PATTERN } from "./share-token";

describe("share tokens", () => {
  it("are 32 random bytes in base64url, stored only as their SHA-256", async () => {
    const a = await newShareToken();
    const b = await newShareToken();
    expect(a.token).toMatch(SHARE_TOKEN_PATTERN);
    expect(a.token).not.toBe(b.token);
    expect(a.tokenHash).toBe(await hashShareToken(a.token));
    expect(a.tokenHash).not.toContain(a.token);
  });

  it("hash as SHA-256 in base64url", async () => {
    // SHA-256("abc") = ba7816bf…
    expect(await hashShareToken("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  });
});
