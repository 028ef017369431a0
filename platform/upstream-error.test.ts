import { describe, expect, it } from "vitest";
import { redactCredentials, UpstreamError, upstreamKindForStatus } from "./upstream-error";

describe("upstreamKindForStatus", () => {
  it("is the one status mapping of every external service", () => {
    const table: [number, string][] = [
      [0, "unavailable"],
      [400, "invalid"],
      [401, "unauthorized"],
      [402, "unexpected"],
      [403, "forbidden"],
      [404, "not_found"],
      [408, "unavailable"],
      [409, "conflict"],
      [412, "conflict"],
      [418, "unexpected"],
      [422, "invalid"],
      [429, "rate_limited"],
      [500, "unavailable"],
      [503, "unavailable"],
      [529, "unavailable"],
      [200, "unexpected"],
      [302, "unexpected"],
    ];
    for (const [status, kind] of table) expect(upstreamKindForStatus(status), String(status)).toBe(kind);
  });
});

describe("UpstreamError", () => {
  it("names the service, the operation and the status; status 0 is the network", () => {
    const error = new UpstreamError({
      service: "gitea",
      operation: "get file",
      status: 404,
      detail: "not found",
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ service: "gitea", operation: "get file", status: 404, kind: "not_found" });
    expect(error.message).toBe("Gitea get file failed: HTTP 404: not found");
    expect(error.retryable).toBe(false);
    expect(error.retryAfterMs).toBeUndefined();

    const network = new UpstreamError({ service: "fly", operation: "machines.list", status: 0 });
    expect(network.message).toBe("Fly machines.list failed: network error");
    expect(network).toMatchObject({ kind: "unavailable", retryable: true });
  });

  it("keeps a Retry-After and a service's own kind, and the cause", () => {
    const cause = new Error("sdk");
    const error = new UpstreamError({
      service: "stripe",
      operation: "request",
      status: 0,
      kind: "unexpected",
      retryAfterMs: 3_000,
      cause,
    });
    expect(error).toMatchObject({ kind: "unexpected", retryAfterMs: 3_000, cause, retryable: false });
    expect(new UpstreamError({ service: "model", operation: "messages", status: 429 }).retryable).toBe(true);
  });

  it("never carries a credential in its message, and shortens long details", () => {
    const secrets = [
      "sk_live_51Habcdef0123456789",
      "sk-ant-api03-abcdefABCDEF0123456789",
      "whsec_0123456789abcdef",
      "0123456789abcdef0123456789abcdef01234567",
      "hunter2pass",
      "FlyV1 fm2_lJPECAAAAAAAAAB9xxxx",
    ];
    const detail = [
      "Invalid API Key provided: sk_live_51Habcdef0123456789",
      "x-api-key sk-ant-api03-abcdefABCDEF0123456789 refused",
      "secret whsec_0123456789abcdef",
      "authorization: token 0123456789abcdef0123456789abcdef01234567",
      "connect to https://admin:hunter2pass@git.example.com/api failed",
      "Authorization: FlyV1 fm2_lJPECAAAAAAAAAB9xxxx",
      "GET /x?access_token=0123456789abcdef0123456789abcdef01234567&page=1",
    ].join("; ");
    const error = new UpstreamError({ service: "gitea", operation: "op", status: 500, detail });
    for (const secret of secrets) expect(error.message).not.toContain(secret);
    expect(error.message).toContain("page=1");

    const long = new UpstreamError({
      service: "fly",
      operation: "op",
      status: 500,
      detail: "x".repeat(2_000),
    });
    expect(long.detail.length).toBeLessThanOrEqual(501);
  });

  it("leaves ordinary upstream messages alone", () => {
    for (const text of [
      "token required",
      "repository file already exists [path: a.md]",
      "machine is leased; pass its nonce in fly-machine-lease-nonce",
      "Basic auth is required",
    ]) {
      expect(redactCredentials(text)).toBe(text);
    }
  });
});

describe("redactCredentials, more shapes", () => {
  it("redacts a bare token in a URL's user part and token fields in JSON", () => {
    const text = redactCredentials(
      'GET https://abc123secret@gitea.test/x {"token": "deadbeef1234", "name":"kept"}',
    );
    expect(text).not.toContain("abc123secret");
    expect(text).not.toContain("deadbeef1234");
    expect(text).toContain('"name":"kept"');
  });
});
