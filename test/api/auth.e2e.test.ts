import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { loadOrCreateSigningKey } from "../../dev/issuer/signing-key";
import { call, type ErrorBody, mintToken, uniqueUser } from "../support/api";

const b64url = (value: string) => Buffer.from(value).toString("base64url");
const decodePart = (part: string) =>
  JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;

async function expect401(token: string | undefined, code: string, headers: Record<string, string> = {}) {
  const response = await call("/api/me", token, { headers });
  expect(response.status).toBe(401);
  const body = (await response.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
  expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
}

describe("session tokens on every request", () => {
  it("accepts a valid token and answers as that user", async () => {
    const username = uniqueUser("valid");
    const response = await call("/api/me", await mintToken(username));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { email: string }).email).toBe(`${username}@dev.growqr.local`);
  });

  it("refuses a request without a token", async () => {
    await expect401(undefined, "missing_token");
  });

  it.each([
    "Basic dXNlcjpwYXNz",
    "Bearer",
    "Bearer not-a-jwt",
    "Bearer a.b",
    `Bearer ${"a".repeat(9_000)}.b.c`,
  ])("refuses a malformed Authorization header (%#)", async (header) => {
    const response = await call("/api/me", undefined, { headers: { authorization: header } });
    expect(response.status).toBe(401);
    expect(["invalid_token", "missing_token"]).toContain(((await response.json()) as ErrorBody).error.code);
  });

  it("refuses an expired token", async () => {
    const twoHoursAgo = Math.floor(Date.now() / 1000) - 7_200;
    await expect401(await mintToken(uniqueUser(), { now: twoHoursAgo, ttlSeconds: 3_600 }), "token_expired");
  });

  it("refuses a token that is not valid yet", async () => {
    const inAnHour = Math.floor(Date.now() / 1000) + 3_600;
    await expect401(await mintToken(uniqueUser(), { now: inAnHour }), "token_not_yet_valid");
  });

  it("refuses a token from another issuer", async () => {
    await expect401(await mintToken(uniqueUser(), { issuer: "https://clerk.evil.example" }), "invalid_token");
  });

  it("refuses a token for another front end (azp)", async () => {
    await expect401(await mintToken(uniqueUser(), { azp: "https://evil.example" }), "invalid_token");
  });

  it("refuses alg: none", async () => {
    const valid = await mintToken(uniqueUser());
    const [, payload] = valid.split(".");
    const unsigned = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
    await expect401(unsigned, "invalid_token");
  });

  it("refuses HS256 signed with the public key (algorithm confusion)", async () => {
    const valid = await mintToken(uniqueUser());
    const claims = decodePart(valid.split(".")[1] ?? "");
    const publicPem = (await loadOrCreateSigningKey(undefined)).publicPem;
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(publicPem));
    await expect401(forged, "invalid_token");
  });

  it("refuses a token signed by another key", async () => {
    const otherKey = await loadOrCreateSigningKey(undefined);
    const valid = await mintToken(uniqueUser());
    const claims = decodePart(valid.split(".")[1] ?? "");
    const { kid } = decodePart(valid.split(".")[0] ?? "");
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: String(kid), typ: "JWT" })
      .sign(otherKey.privateKey);
    await expect401(forged, "invalid_token");
  });

  it("refuses a token whose payload was tampered with", async () => {
    const victim = uniqueUser("victim");
    const [header, payload, signature] = (await mintToken(uniqueUser("attacker"))).split(".");
    const claims = decodePart(payload ?? "");
    const tampered = `${header}.${b64url(JSON.stringify({ ...claims, sub: `user_dev_${victim}` }))}.${signature}`;
    await expect401(tampered, "invalid_token");
  });
});
