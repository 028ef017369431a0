import { describe, expect, it } from "vitest";
import {
  decryptSecret,
  encryptSecret,
  generateSecret,
  generateSecretsKey,
  importSecretsKey,
} from "./secrets";

describe("stack secrets", () => {
  it("round-trips, with a fresh IV each time", async () => {
    const key = await importSecretsKey(generateSecretsKey());
    const a = await encryptSecret(key, "user-a", "hunter2");
    const b = await encryptSecret(key, "user-a", "hunter2");
    expect(a).not.toBe(b);
    expect(a).not.toContain("hunter2");
    expect(await decryptSecret(key, "user-a", a)).toBe("hunter2");
  });

  it("does not decrypt under another user or another key", async () => {
    const key = await importSecretsKey(generateSecretsKey());
    const other = await importSecretsKey(generateSecretsKey());
    const sealed = await encryptSecret(key, "user-a", "token");
    await expect(decryptSecret(key, "user-b", sealed)).rejects.toThrow();
    await expect(decryptSecret(other, "user-a", sealed)).rejects.toThrow();
  });

  it("rejects a missing or short key", async () => {
    await expect(importSecretsKey(undefined)).rejects.toThrow(/not set/);
    await expect(importSecretsKey(btoa("short"))).rejects.toThrow(/32 bytes/);
  });

  it("generates URL-safe secrets", () => {
    expect(generateSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
