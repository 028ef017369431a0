import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { threads, users } from "../../schema";
import { apiUrl, call, type ErrorBody, mintToken, signedInClient, stackDb, uniqueUser } from "../support/api";
import { TEST_WEB_ORIGIN } from "../support/stack";

async function threadCount(username: string): Promise<number> {
  const db = stackDb();
  try {
    const [row] = await db
      .select({ n: count() })
      .from(threads)
      .innerJoin(users, eq(users.id, threads.userId))
      .where(eq(users.clerkUserId, `user_dev_${username}`));
    return row?.n ?? 0;
  } finally {
    await db.$client.end();
  }
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
  return body;
}

describe("bad input gets a clear 4xx and writes nothing", () => {
  it.each([
    ["invalid JSON", "{not json", 400, "invalid_json"],
    ["a title of the wrong type", JSON.stringify({ title: 42 }), 400, "invalid_request"],
    ["an over-long title", JSON.stringify({ title: "x".repeat(201) }), 400, "invalid_request"],
    ["an unknown field", JSON.stringify({ title: "ok", owner: "someone-else" }), 400, "invalid_request"],
    ["a JSON array", JSON.stringify([1, 2]), 400, "invalid_request"],
  ])("POST /api/threads with %s", async (_, body, status, code) => {
    const username = uniqueUser("bad");
    const token = await mintToken(username);
    const error = await expectError(
      await call("/api/threads", token, { method: "POST", body }),
      status,
      code,
    );
    if (code === "invalid_request") expect(error.error.message).toMatch(/title|owner|expected/i);
    expect(await threadCount(username)).toBe(0);
  });

  it("rejects a body that is not JSON at all", async () => {
    const username = uniqueUser("ctype");
    const token = await mintToken(username);
    const response = await call("/api/threads", token, {
      method: "POST",
      body: "title=hi",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await expectError(response, 415, "unsupported_media_type");
    expect(await threadCount(username)).toBe(0);
  });

  it("rejects bodies over 64 KiB with 413", async () => {
    const username = uniqueUser("big");
    const token = await mintToken(username);
    const body = JSON.stringify({ title: "x".repeat(70_000) });
    await expectError(await call("/api/threads", token, { method: "POST", body }), 413, "payload_too_large");
    expect(await threadCount(username)).toBe(0);
  });

  it("answers malformed thread ids with 400 and unknown well-formed ones with 404", async () => {
    const { token, api } = await signedInClient("ids");
    await expectError(await call("/api/threads/not-a-uuid", token), 400, "invalid_request");
    await expectError(await call("/api/threads/not-a-uuid/messages", token), 400, "invalid_request");
    await expectError(
      await call("/api/threads/019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b", token),
      404,
      "thread_not_found",
    );
    const patch = await call("/api/threads/019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b", token, {
      method: "PATCH",
      body: JSON.stringify({ title: "x" }),
    });
    await expectError(patch, 404, "thread_not_found");
    expect((await api.GET("/threads")).data?.items).toEqual([]);
  });

  it("validates query parameters and cursors", async () => {
    const { token } = await signedInClient("query");
    await expectError(await call("/api/threads?limit=0", token), 400, "invalid_request");
    await expectError(await call("/api/threads?limit=1000", token), 400, "invalid_request");
    await expectError(await call("/api/threads?limit=abc", token), 400, "invalid_request");
    await expectError(await call("/api/threads?cursor=%%%", token), 400, "invalid_cursor");
    await expectError(await call("/api/threads?cursor=eyJ2IjoxfQ", token), 400, "invalid_cursor");
  });

  it("answers unknown routes with 404 and wrong methods with 405 and Allow", async () => {
    const { token } = await signedInClient("routes");
    await expectError(await call("/api/nothing-here", token), 404, "not_found");
    const response = await call("/api/threads", token, { method: "PUT", body: "{}" });
    await expectError(response, 405, "method_not_allowed");
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
  });
});

describe("browser access", () => {
  it("allows the SPA origin with CORS, and nobody else", async () => {
    const preflight = (origin: string) =>
      fetch(`${apiUrl()}/api/threads`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
        },
      });
    const allowed = await preflight(TEST_WEB_ORIGIN);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(TEST_WEB_ORIGIN);
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const refused = await preflight("https://evil.example");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("per-user rate limit", () => {
  it("answers 429 with Retry-After once a user exceeds the limit, without affecting other users", async () => {
    // Workers' local limiter counts in fixed windows aligned to the wall-clock minute: a run that crosses a
    // minute boundary gets a fresh budget halfway, so it is repeated with a new user at the start of the next one.
    const burst = async () => {
      const greedy = await mintToken(uniqueUser("greedy"));
      const minute = Math.floor(Date.now() / 60_000);
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let round = 0; round < 40 && !limited; round++) {
        const batch = await Promise.all(
          Array.from({ length: 10 }, () => call("/api/threads?limit=1", greedy)),
        );
        for (const response of batch) {
          statuses.push(response.status);
          if (response.status === 429 && !limited) limited = response;
          else await response.body?.cancel();
        }
      }
      const crossedWindow = Math.floor(Date.now() / 60_000) !== minute;
      return { statuses, limited, crossedWindow };
    };
    let run = await burst();
    if (run.crossedWindow) run = await burst();
    const { statuses, limited } = run;
    if (!limited) throw new Error(`never limited after ${statuses.length} requests`);
    // The limit is 300 per minute (wrangler.toml); each request counts once.
    expect(statuses.filter((s) => s === 200).length).toBe(300);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectError(limited, 429, "rate_limited");

    const other = await call("/api/me", await mintToken(uniqueUser("polite")));
    expect(other.status).toBe(200);
  });
});
