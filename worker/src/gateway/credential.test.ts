import { describe, expect, it } from "vitest";
import { generateGatewayKey, hashGatewayKey } from "../../../provisioner/src/stack/gateway-key";
import { credentialFrom } from "./credential";

const key = generateGatewayKey();

describe("credentialFrom", () => {
  it("takes the stack credential from x-api-key (OpenCode's AI SDK) or a Bearer token", () => {
    expect(credentialFrom(new Headers({ "x-api-key": key }))).toBe(key);
    expect(credentialFrom(new Headers({ authorization: `Bearer ${key}` }))).toBe(key);
    expect(credentialFrom(new Headers({ "x-api-key": ` ${key} ` }))).toBe(key);
  });

  it("refuses what is not shaped like one of ours before any lookup: absent, an Anthropic key, junk", () => {
    expect(credentialFrom(new Headers())).toBeUndefined();
    expect(credentialFrom(new Headers({ "x-api-key": "sk-ant-api03-abc" }))).toBeUndefined();
    expect(credentialFrom(new Headers({ "x-api-key": `${key}x` }))).toBeUndefined();
    expect(credentialFrom(new Headers({ "x-api-key": "gqsk_' or 1=1 --" }))).toBeUndefined();
    expect(credentialFrom(new Headers({ authorization: `Basic ${key}` }))).toBeUndefined();
  });
});

describe("gateway keys", () => {
  it("are 32 random bytes each, and stored as a hash that does not contain them", async () => {
    const keys = new Set(Array.from({ length: 100 }, generateGatewayKey));
    expect(keys.size).toBe(100);
    const hash = await hashGatewayKey(key);
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(await hashGatewayKey(key));
    expect(hash).not.toBe(await hashGatewayKey(generateGatewayKey()));
  });
});
