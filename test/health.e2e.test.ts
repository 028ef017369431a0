import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./support/stack";

type Health = {
  status?: string;
  version: string;
  checks: Record<string, { status: string; latencyMs: number; error?: string }>;
  error?: { code: string; message: string; requestId: string };
};

describe("GET /api/health on the local stack (wrangler dev, both Workers, PGlite via the Neon driver)", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it("reports the database and the provisioner (over the service binding) as ok", async () => {
    const response = await fetch(`${stack.apiUrl}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Health;
    expect(body.status).toBe("ok");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.checks.database?.status).toBe("ok");
    expect(body.checks.database?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.checks.provisioner?.status).toBe("ok");
  });

  it("tags the response and both Workers' log lines with one request id", async () => {
    const response = await fetch(`${stack.apiUrl}/api/health`, {
      headers: { "x-request-id": "e2e-trace-0001" },
    });
    expect(response.headers.get("x-request-id")).toBe("e2e-trace-0001");
    await response.body?.cancel();
    await expect
      .poll(() => stack.logs.filter((line) => line.includes('"requestId":"e2e-trace-0001"')).length)
      .toBe(2);
    const services = stack.logs
      .filter((line) => line.includes("e2e-trace-0001"))
      .map((line) => JSON.parse(line.slice(line.indexOf("{"))).service);
    expect(services.sort()).toEqual(["provisioner", "worker"]);
  });

  it("answers unknown routes with 404 in the error shape", async () => {
    const response = await fetch(`${stack.apiUrl}/api/nope`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as Health;
    expect(body.error?.code).toBe("not_found");
    expect(body.error?.requestId).toBe(response.headers.get("x-request-id"));
  });

  // Last: it takes the database away for good.
  it("answers 503 with the error shape, not a crash, when the database goes down", async () => {
    await stack.stopDatabase();
    const response = await fetch(`${stack.apiUrl}/api/health`);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBeTruthy();
    const body = (await response.json()) as Health;
    expect(body.error?.code).toBe("database_unavailable");
    expect(body.error?.requestId).toBe(response.headers.get("x-request-id"));
    expect(body.checks.database?.status).toBe("down");
    expect(JSON.stringify(body)).not.toMatch(/postgres:\/\/|127\.0\.0\.1/);

    // The Worker keeps serving: the static route still answers.
    expect((await fetch(`${stack.apiUrl}/api/version`)).status).toBe(200);
  });
});
