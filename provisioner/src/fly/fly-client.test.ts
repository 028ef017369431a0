import { describe, expect, it } from "vitest";
import { createFlyClient, LEASE_NONCE_HEADER } from "./fly-client";
import { FlyApiError } from "./fly-errors";

/** A scripted Fly: answers each request with the next response and records what it was asked. */
function scripted(responses: Array<() => Response>) {
  const seen: Request[] = [];
  const sleeps: number[] = [];
  const client = createFlyClient({
    baseUrl: "https://fly.test/v1",
    token: "secret-token",
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 },
    fetch: async (input) => {
      seen.push(input as Request);
      const next = responses.shift();
      if (!next) throw new Error("no more responses");
      return next();
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { client, seen, sleeps };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });

describe("Fly client", () => {
  it("retries 429 honouring Retry-After and 503 with backoff, resending the body each time", async () => {
    const { client, seen, sleeps } = scripted([
      json(429, { error: "slow down" }, { "retry-after": "2" }),
      json(503, { error: "unavailable" }),
      json(200, { id: "m1", state: "created" }),
    ]);
    const machine = await client.machines.create("app", { name: "m", config: { image: "img" } });
    expect(machine.id).toBe("m1");
    expect(sleeps[0]).toBe(2_000);
    // Full jitter over the second retry's window (2 × 100 ms).
    expect(sleeps[1]).toBeGreaterThanOrEqual(0);
    expect(sleeps[1]).toBeLessThan(200);
    expect(seen).toHaveLength(3);
    for (const request of seen) {
      expect(request.headers.get("authorization")).toBe("Bearer secret-token");
      expect(await request.clone().json()).toMatchObject({ name: "m" });
    }
  });

  it("does not retry 4xx, and throws a typed error without the token", async () => {
    const { client, seen } = scripted([json(404, { error: "machine not found" })]);
    const error = await client.machines.get("app", "nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlyApiError);
    expect(error).toMatchObject({ kind: "not_found", status: 404, operation: "machines.get" });
    expect(String((error as Error).message)).toContain("machine not found");
    expect(String((error as Error).message)).not.toContain("secret-token");
    expect(seen).toHaveLength(1);
  });

  it("holds a lease around a mutation, sends its nonce, and releases it even when the mutation fails", async () => {
    const { client, seen } = scripted([
      json(200, { nonce: "n1", expires_at: 1 }),
      json(500, { error: "boom" }),
      json(500, { error: "boom" }),
      json(500, { error: "boom" }),
      json(500, { error: "boom" }),
      json(200, {}),
    ]);
    await expect(
      client.withLease("app", "m1", "test", (nonce) => client.machines.start("app", "m1", nonce)),
    ).rejects.toMatchObject({ kind: "unavailable" });
    expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /v1/apps/app/machines/m1/lease",
      ...Array(4).fill("POST /v1/apps/app/machines/m1/start"),
      "DELETE /v1/apps/app/machines/m1/lease",
    ]);
    expect(seen[1]?.headers.get(LEASE_NONCE_HEADER)).toBe("n1");
    expect(seen[5]?.headers.get(LEASE_NONCE_HEADER)).toBe("n1");
  });

  it("accepts the live API's wrapped lease ({ status, data })", async () => {
    const { client } = scripted([json(200, { status: "success", data: { nonce: "n2" } })]);
    expect(await client.leases.acquire("app", "m1", 30, "x")).toBe("n2");
  });
});
