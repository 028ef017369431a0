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

  // Values sealed before the two boxes became this one (fixed key and outputs), so stored data keeps opening.
  const fixtureKey = "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYY=";

  it("opens what the worker's box sealed (v1, unpadded base64url)", async () => {
    const box = await createSecretBox(fixtureKey);
    const sealed = "v1.RoejD6F-k5EqnFoO.NmW_B5aFgHjWLTWZIZpkPCU-MCkCSNIPWDdBxptDUg";
    expect(await box.open(sealed, "user-1")).toBe("gitea-token-123");
  });

  it("opens what the provisioner's stack secrets sealed (v1, padded standard base64)", async () => {
    const box = await createSecretBox(fixtureKey);
    const sealed = "v1.g5yU2jGz5ber3CNT.Cb9fthYeGOlXrrzGJSIqSbBqEngzxAHMGksjj5aLXzI/CSA=";
    expect(await box.open(sealed, "user-1")).toBe("opencode-password-1");
    await expect(box.open(sealed, "user-2")).rejects.toBeInstanceOf(SecretBoxError);
  });

  it("seals in unpadded base64url, whatever the key's encoding", async () => {
    const urlKey = fixtureKey.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    const box = await createSecretBox(urlKey);
    const sealed = await box.seal("x".repeat(50), "user-1");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(await (await createSecretBox(fixtureKey)).open(sealed, "user-1")).toBe("x".repeat(50));
  });
});
