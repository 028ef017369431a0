import { describe, expect, it } from "vitest";
import { GiteaClient } from "./gitea-client";
import { GiteaError } from "./gitea-error";

const SECRET = "0123456789abcdef0123456789abcdef01234567";
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

function client(
  respond: (request: Request) => Promise<Response> | Response,
  options: { timeoutMs?: number } = {},
) {
  const seen: Request[] = [];
  const gitea = new GiteaClient({
    baseUrl: "http://gitea.test/",
    auth: { token: SECRET },
    sleep: async () => {},
    timeoutMs: options.timeoutMs,
    fetch: async (request) => {
      seen.push(request);
      return respond(request);
    },
  });
  return { gitea, seen };
}

describe("GiteaClient (unit)", () => {
  it("sends the token header and keeps slashes of file paths, encoding each segment", async () => {
    const { gitea, seen } = client(() => json(404, { message: "not found" }));
    expect(await gitea.getFile("alice", "growqr-memory", "system/a b#1.md", "main")).toBeNull();
    expect(seen[0]?.url).toBe(
      "http://gitea.test/api/v1/repos/alice/growqr-memory/contents/system/a%20b%231.md?ref=main",
    );
    expect(seen[0]?.headers.get("authorization")).toBe(`token ${SECRET}`);
  });

  it("retries 5xx and 429, then succeeds", async () => {
    const answers = [json(503, {}), json(429, {}, { "retry-after": "0" }), json(200, { version: "1.22.0" })];
    const { gitea, seen } = client(() => answers.shift() ?? json(500, {}));
    expect(await gitea.version()).toBe("1.22.0");
    expect(seen).toHaveLength(3);
  });

  it("maps failures to GiteaError with Gitea's message and never the token", async () => {
    const { gitea } = client(() =>
      json(422, { message: "repository file already exists [path: a.md]", url: "x" }),
    );
    const error = await gitea
      .createFile("alice", "r", "a.md", { content: "x", message: "m" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(GiteaError);
    expect(error).toMatchObject({ status: 422, kind: "invalid", operation: "create file" });
    expect(String(error)).toContain("already exists");
    expect(String(error)).not.toContain(SECRET);
  });

  it("gives up on a hung Gitea after the per-attempt timeout and the retries", async () => {
    let attempts = 0;
    const { gitea } = client(
      (request) =>
        new Promise<Response>((_, reject) => {
          attempts++;
          request.signal.addEventListener("abort", () => reject(request.signal.reason));
        }),
      { timeoutMs: 20 },
    );
    const error = await gitea.version().catch((e) => e);
    expect(error).toMatchObject({ status: 0, kind: "unavailable" });
    expect(attempts).toBe(4);
  });

  it("reports rate limiting with the server's Retry-After when it is beyond the retry budget", async () => {
    const { gitea } = client(() => json(429, { message: "slow down" }, { "retry-after": "120" }));
    await expect(gitea.version()).rejects.toMatchObject({ kind: "rate_limited", retryAfterMs: 120_000 });
  });
});
