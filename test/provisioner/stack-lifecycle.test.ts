import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlyClient } from "../../provisioner/src/fly/fly-client";
import { GATEWAY_KEY_PATTERN, hashGatewayKey } from "../../provisioner/src/stack/gateway-key";
import { requestsDuring, stackFor, startTestFly, TEST_APP, TEST_TOKEN } from "./harness";

let env: Awaited<ReturnType<typeof startTestFly>>;
beforeAll(async () => {
  env = await startTestFly();
});
afterAll(() => env?.close());

const machinesOf = (ids: Array<string | undefined>) => env.fly.machines().filter((m) => ids.includes(m.id));
const creates = <T extends { method: string; path: string }>(requests: T[]) =>
  requests.filter((r) => r.method === "POST" && /\/machines$/.test(r.path));

describe("UserStack lifecycle against dev/fly", () => {
  it("100 concurrent ensureStack calls for a new user create exactly one set of machines", async () => {
    const { controller, events } = await stackFor(env.fly, "user-concurrent");
    let views: Awaited<ReturnType<typeof controller.ensure>>[] = [];
    const requests = await requestsDuring(env.fly, async () => {
      views = await Promise.all(Array.from({ length: 100 }, () => controller.ensure()));
    });
    expect(views.every((view) => view.status === "ready")).toBe(true);
    expect(creates(requests)).toHaveLength(2);
    expect(requests.filter((r) => r.method === "POST" && /\/volumes$/.test(r.path))).toHaveLength(2);
    const ids = [views[0]?.machines.opencode?.machineId, views[0]?.machines.gitea?.machineId];
    expect(new Set(views.map((v) => v.machines.opencode?.machineId)).size).toBe(1);
    expect(machinesOf(ids).map((m) => m.state)).toEqual(["started", "started"]);
    expect(events.map((e) => e.type)).toEqual([
      "stack.creating",
      "stack.starting",
      "stack.health_ok",
      "stack.ready",
    ]);
  });

  it("a ready stack answers without a Fly call", async () => {
    const { controller } = await stackFor(env.fly, "user-warm");
    await controller.ensure();
    const requests = await requestsDuring(env.fly, async () => {
      for (let i = 0; i < 20; i++) expect((await controller.ensure()).status).toBe("ready");
      await Promise.all(Array.from({ length: 20 }, () => controller.ensure()));
    });
    expect(requests).toEqual([]);
  });

  it("with startAllowed: false a suspended or new stack is answered as it is, and nothing is started", async () => {
    const { controller, events } = await stackFor(env.fly, "user-gated");
    let none: Awaited<ReturnType<typeof controller.ensure>> | undefined;
    const untouched = await requestsDuring(env.fly, async () => {
      none = await controller.ensure({ startAllowed: false });
    });
    expect(none?.status).toBe("none");
    expect(untouched).toEqual([]);
    await controller.ensure();
    await controller.suspend();
    const seen = events.length;
    const stillUntouched = await requestsDuring(env.fly, async () => {
      const view = await controller.ensure({ startAllowed: false });
      expect(view.status).toBe("suspended");
      // All its events, for the Worker's plan gate to count bring-ups.
      expect(view.events.map((e) => e.type)).toEqual(events.map((e) => e.type));
    });
    expect(stillUntouched).toEqual([]);
    expect(events).toHaveLength(seen);
  });

  it("a suspended stack wakes and becomes healthy", async () => {
    const { controller, events, mirrored } = await stackFor(env.fly, "user-wake");
    const ready = await controller.ensure();
    const ids = [ready.machines.opencode?.machineId, ready.machines.gitea?.machineId];
    expect((await controller.suspend()).status).toBe("suspended");
    expect(machinesOf(ids).map((m) => m.state)).toEqual(["suspended", "suspended"]);
    // A frozen process does not answer: the edge refuses suspended machines.
    const probe = await fetch(`${env.fly.edgeUrl}/api/healthz`, {
      headers: { "fly-force-instance-id": ids[1] ?? "" },
    });
    expect(probe.status).toBe(503);

    const requests = await requestsDuring(env.fly, async () => {
      expect((await controller.ensure()).status).toBe("ready");
    });
    expect(creates(requests)).toEqual([]);
    expect(requests.filter((r) => r.path.endsWith("/start"))).toHaveLength(2);
    expect(machinesOf(ids).map((m) => m.state)).toEqual(["started", "started"]);
    expect(events.map((e) => e.type).slice(-5)).toEqual([
      "stack.suspending",
      "stack.suspended",
      "stack.starting",
      "stack.health_ok",
      "stack.ready",
    ]);
    expect(mirrored.map((r) => r.status)).toContain("suspended");
  });

  it("retries Fly 429 and 503 on create and succeeds", async () => {
    const { controller } = await stackFor(env.fly, "user-flaky");
    env.fly.faults.rules = [
      { method: "POST", path: "/machines$", status: 429, count: 1, retryAfterSeconds: 0 },
      { method: "POST", path: "/machines$", status: 503, count: 2 },
    ];
    const requests = await requestsDuring(env.fly, async () => {
      expect((await controller.ensure()).status).toBe("ready");
    });
    env.fly.faults.rules = [];
    expect(creates(requests).map((r) => r.status)).toEqual([429, 503, 503, 200, 200]);
  });

  it("a create whose answer was lost is found again by name instead of duplicated", async () => {
    const { controller } = await stackFor(env.fly, "user-lost-answer");
    env.fly.faults.rules = [
      { method: "POST", path: "/machines$", status: 503, count: 1, afterHandling: true },
    ];
    const requests = await requestsDuring(env.fly, async () => {
      expect((await controller.ensure()).status).toBe("ready");
    });
    env.fly.faults.rules = [];
    // 503 (created anyway), 409 on the client's retry (name taken), then the second role's create.
    expect(creates(requests).map((r) => r.status)).toEqual([503, 409, 200]);
    const view = await controller.view();
    const prefix = env.fly
      .machines()
      .find((m) => m.id === view.machines.opencode?.machineId)
      ?.name.replace(/opencode$/, "");
    expect(
      env.fly.machines().filter((m) => prefix && m.name.startsWith(prefix) && m.state !== "destroyed"),
    ).toHaveLength(2);
  });

  it("a machine that never becomes healthy ends in failed with a reason, and can be retried", async () => {
    const { controller, events } = await stackFor(env.fly, "user-sick", { healthTimeoutMs: 1_500 });
    env.fly.faults.neverHealthyImages = ["opencode"];
    const failed = await controller.ensure();
    expect(failed.status).toBe("failed");
    expect(failed.lastError).toMatch(/opencode did not become healthy within 2 s/);
    expect(events.at(-1)).toMatchObject({ type: "stack.failed", data: { reason: failed.lastError } });

    env.fly.faults.neverHealthyImages = [];
    const requests = await requestsDuring(env.fly, async () => {
      expect((await controller.ensure()).status).toBe("ready");
    });
    expect(creates(requests)).toEqual([]);
    expect(requests.filter((r) => r.path.endsWith("/stop")).length).toBeGreaterThan(0);
  });

  it("gives up after repeated failures without calling Fly, until the cool-down", async () => {
    const { controller } = await stackFor(env.fly, "user-hopeless", {
      healthTimeoutMs: 200,
      lifecycle: { maxFailures: 2, retryCooldownMs: 60_000 },
    });
    env.fly.faults.neverHealthyImages = ["gitea"];
    expect((await controller.ensure()).status).toBe("failed");
    expect((await controller.ensure()).status).toBe("failed");
    const requests = await requestsDuring(env.fly, async () => {
      const view = await controller.ensure();
      expect(view).toMatchObject({
        status: "failed",
        lastError: expect.stringMatching(/gitea did not become healthy/),
      });
    });
    env.fly.faults.neverHealthyImages = [];
    expect(requests).toEqual([]);
  });

  it("user A's calls never touch user B's machines", async () => {
    const a = await stackFor(env.fly, "user-a");
    const b = await stackFor(env.fly, "user-b");
    const [viewA, viewB] = await Promise.all([a.controller.ensure(), b.controller.ensure()]);
    const idsA = [viewA.machines.opencode?.machineId, viewA.machines.gitea?.machineId];
    const idsB = [viewB.machines.opencode?.machineId, viewB.machines.gitea?.machineId];
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);

    const requests = await requestsDuring(env.fly, async () => {
      await a.controller.suspend();
      await a.controller.ensure();
      await a.controller.destroy();
    });
    const touched = requests.flatMap((r) => r.path.match(/machines\/([0-9a-f]+)/)?.[1] ?? []);
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.filter((id) => idsB.includes(id))).toEqual([]);
    expect(machinesOf(idsB).map((m) => m.state)).toEqual(["started", "started"]);
    expect(machinesOf(idsA).map((m) => m.state)).toEqual(["destroyed", "destroyed"]);
    expect((await b.controller.ensure()).status).toBe("ready");
  });

  it("gives the OpenCode machine a registered gateway credential, revokes it on destroy, rotates it on recreate", async () => {
    const { controller, gatewayKeys } = await stackFor(env.fly, "user-gateway-key");
    const fly = createFlyClient({ baseUrl: env.fly.apiUrl, token: TEST_TOKEN });
    const keyOf = async () => {
      const id = (await controller.view()).machines.opencode?.machineId ?? "";
      return (await fly.machines.get(TEST_APP, id)).config?.env?.ANTHROPIC_API_KEY ?? "";
    };

    await controller.ensure();
    const first = await keyOf();
    expect(first).toMatch(GATEWAY_KEY_PATTERN);
    // The gateway knows exactly the credential the machine holds (by its hash only).
    expect(gatewayKeys.current).toBe(await hashGatewayKey(first));
    expect(gatewayKeys.registered).toHaveLength(1);
    expect(JSON.stringify(await controller.connection())).not.toContain(first);

    // A wake keeps the credential; a destroy revokes it; a recreated stack has a new one.
    await controller.suspend();
    await controller.ensure();
    expect(await keyOf()).toBe(first);
    await controller.destroy();
    expect(gatewayKeys.current).toBeUndefined();
    await controller.ensure();
    const second = await keyOf();
    expect(second).toMatch(GATEWAY_KEY_PATTERN);
    expect(second).not.toBe(first);
    expect(gatewayKeys.current).toBe(await hashGatewayKey(second));
  });

  it("a destroy that fails at Fly after revoking leaves no ready stack, and the next wake's machine holds a credential the gateway knows", async () => {
    const { controller, gatewayKeys, events } = await stackFor(env.fly, "user-half-destroyed");
    const fly = createFlyClient({ baseUrl: env.fly.apiUrl, token: TEST_TOKEN });
    const ready = await controller.ensure();
    const ids = [ready.machines.opencode?.machineId, ready.machines.gitea?.machineId];
    const key = (await fly.machines.get(TEST_APP, ids[0] ?? "")).config?.env?.ANTHROPIC_API_KEY ?? "";
    expect(gatewayKeys.current).toBe(await hashGatewayKey(key));

    // Fly is down for every try of the first delete: the credential is already revoked, the machines live on.
    env.fly.faults.rules = [{ method: "DELETE", path: "/machines/", status: 503, count: 5 }];
    await expect(controller.destroy()).rejects.toThrow();
    env.fly.faults.rules = [];
    expect(gatewayKeys.current).toBeUndefined();
    expect(machinesOf(ids).map((m) => m.state)).toEqual(["started", "started"]);
    // Not "ready": a caller would otherwise be answered from memory, and OpenCode would meet 401 at the gateway.
    const failed = await controller.view();
    expect(failed.status).toBe("failed");
    expect(failed.lastError).toMatch(/^destroy failed: /);
    expect(events.at(-1)).toMatchObject({ type: "stack.failed" });

    expect((await controller.ensure()).status).toBe("ready");
    expect((await fly.machines.get(TEST_APP, ids[0] ?? "")).config?.env?.ANTHROPIC_API_KEY).toBe(key);
    expect(gatewayKeys.current).toBe(await hashGatewayKey(key));

    // A retried destroy finishes the job and revokes again.
    await controller.destroy();
    expect(gatewayKeys.current).toBeUndefined();
    expect(machinesOf(ids).map((m) => m.state)).toEqual(["destroyed", "destroyed"]);
  });

  it("after a destroy that deleted one machine and failed on the other, a wake recreates it with a working credential", async () => {
    const { controller, gatewayKeys } = await stackFor(env.fly, "user-partly-destroyed");
    const fly = createFlyClient({ baseUrl: env.fly.apiUrl, token: TEST_TOKEN });
    const ready = await controller.ensure();
    const ids = [ready.machines.opencode?.machineId, ready.machines.gitea?.machineId];
    const gitea = ids[1] ?? "";
    env.fly.faults.rules = [{ method: "DELETE", path: `/machines/${gitea}`, status: 503, count: 5 }];
    await expect(controller.destroy()).rejects.toThrow();
    env.fly.faults.rules = [];
    expect(machinesOf(ids).map((m) => m.state)).toEqual(["destroyed", "started"]);

    const requests = await requestsDuring(env.fly, async () => {
      expect((await controller.ensure()).status).toBe("ready");
    });
    expect(creates(requests)).toHaveLength(1);
    const view = await controller.view();
    expect(view.machines.gitea?.machineId).toBe(gitea);
    const opencode = view.machines.opencode?.machineId ?? "";
    expect(opencode).not.toBe(ids[0]);
    const key = (await fly.machines.get(TEST_APP, opencode)).config?.env?.ANTHROPIC_API_KEY ?? "";
    expect(key).toMatch(GATEWAY_KEY_PATTERN);
    expect(gatewayKeys.current).toBe(await hashGatewayKey(key));
    expect(machinesOf([opencode, gitea]).map((m) => m.state)).toEqual(["started", "started"]);
  });

  it("starts no machine while the gateway cannot register its credential, and says why", async () => {
    const { controller, gatewayKeys } = await stackFor(env.fly, "user-gateway-down");
    const register = gatewayKeys.register.bind(gatewayKeys);
    gatewayKeys.register = () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.1:5432"));
    const requests = await requestsDuring(env.fly, async () => {
      expect(await controller.ensure()).toMatchObject({
        status: "failed",
        lastError: "the sandbox's model credential could not be registered; try again shortly",
      });
    });
    expect(requests).toEqual([]);
    gatewayKeys.register = register;
    expect((await controller.ensure()).status).toBe("ready");
  });

  it("suspends an idle stack from its alarm, and only once idle", async () => {
    let now = Date.now();
    const { controller, alarms } = await stackFor(env.fly, "user-idle", {
      lifecycle: { idleSuspendMs: 60_000 },
      now: () => now,
    });
    await controller.ensure();
    expect(alarms.at(-1)).toBe(now + 60_000);
    now += 30_000;
    await controller.alarm();
    expect((await controller.view()).status).toBe("ready");
    now += 30_000;
    await controller.alarm();
    expect((await controller.view()).status).toBe("suspended");
    expect(alarms.at(-1)).toBeUndefined();
  });
});
