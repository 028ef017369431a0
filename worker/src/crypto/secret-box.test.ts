import { describe, expect, it } from "vitest";
import { createSecretBox, generateSecretBoxKey, SecretBoxError } from "./secret-box";

describe("secret box (AES-256-GCM)", () => {
  it("round-trips and never repeats a ciphertext (random IV)", async () => {
    const box = await createSecretBox(generateSecretBoxKey());
    const a = await box.seal("gitea-token-123", "user-1");
    const b = await box.seal("gitea-token-123", "user-1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("gitea-token-123");
    expect(a.startsWith("v1.")).toBe(true);
    expect(await box.open(a, "user-1")).toBe("gitea-token-123");
  });

  it("refuses another row's associated data, another key and tampering", async () => {
    const key = generateSecretBoxKey();
    const box = await createSecretBox(key);
    const sealed = await box.seal("secret", "user-1");
    await expect(box.open(sealed, "user-2")).rejects.toBeInstanceOf(SecretBoxError);
    const other = await createSecretBox(generateSecretBoxKey());
    await expect(other.open(sealed, "user-1")).rejects.toBeInstanceOf(SecretBoxError);
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}A`;
    await expect(box.open(tampered, "user-1")).rejects.toBeInstanceOf(SecretBoxError);
    await expect(box.open("v2.x.y", "user-1")).rejects.toThrow(/unknown format/);
  });

  it("requires a 32-byte key", async () => {
    await expect(createSecretBox(undefined)).rejects.toThrow(/not configured/);
    await expect(createSecretBox(btoa("short"))).rejects.toThrow(/32 bytes/);
  });

  it("errors never contain the plaintext or the key", async () => {
    const key = generateSecretBoxKey();
    const box = await createSecretBox(key);
    const error = await box.open("v1.AAAA.BBBB", "x").catch((e: Error) => e);
    expect(String(error)).not.toContain(key);
  });
});
