import { eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { userStacks } from "../../schema/tables/stacks";
import { call, type ErrorBody, mintToken, stackDb, uniqueUser } from "../support/api";

interface Stack {
  status: string;
  machines: { opencode?: { machineId?: string }; gitea?: { machineId?: string } };
  lastError: string | null;
  events: Array<{ seq: number; type: string }>;
  lastSeq: number;
}

const flyMachine = async (id: string) => {
  const response = await fetch(`${inject("flyApiUrl")}/apps/growqr-runtime/machines/${id}`, {
    headers: { authorization: `Bearer ${inject("flyToken")}` },
  });
  return (await response.json()) as { state: string; config: { env: Record<string, string> } };
};

const devFlyMachines = async () =>
  (
    (await (await fetch(`${inject("flyEdgeUrl")}/_dev/state`)).json()) as {
      machines: Array<{ id: string; name: string; state: string }>;
    }
  ).machines;

const opencode = (machineId: string, path: string, password?: string) =>
  fetch(`${inject("flyEdgeUrl")}${path}`, {
    headers: {
      "fly-force-instance-id": machineId,
      ...(password ? { authorization: `Basic ${btoa(`opencode:${password}`)}` } : {}),
    },
    signal: AbortSignal.timeout(10_000),
  });

describe("stack API over the provisioner and dev/fly (real OpenCode)", () => {
  it("provisions a stack whose OpenCode server answers with the password and refuses without it", async () => {
    const alice = await mintToken(uniqueUser("stack-a"));
    const before = await call("/api/stack", alice);
    expect(before.status).toBe(200);
    expect(((await before.json()) as Stack).status).toBe("none");

    // While the wake is under way, the stack's progress can be read (the DO serves reads between Fly calls).
    const waking = call("/api/stack/wake", alice, { method: "POST" });
    let progress: Stack | undefined;
    for (let i = 0; i < 100 && progress?.status !== "starting"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      progress = (await (await call("/api/stack", alice)).json()) as Stack;
    }
    expect(progress?.status).toBe("starting");
    expect(progress?.events.map((e) => e.type)).toEqual(["stack.creating", "stack.starting"]);

    const woken = await waking;
    const stack = (await woken.json()) as Stack;
    expect(woken.status, JSON.stringify(stack)).toBe(200);
    expect(stack.status).toBe("ready");
    expect(stack.events.map((e) => e.type)).toEqual([
      "stack.creating",
      "stack.starting",
      "stack.health_ok",
      "stack.ready",
    ]);
    expect(JSON.stringify(stack)).not.toMatch(/password|token|edgeUrl/i);

    const machineId = stack.machines.opencode?.machineId ?? "";
    // The password reaches the machine as env, as on Fly (whose API returns machine config to token holders).
    const password = (await flyMachine(machineId)).config.env.OPENCODE_SERVER_PASSWORD ?? "";
    expect(password.length).toBeGreaterThanOrEqual(32);
    const withPassword = await opencode(machineId, "/session", password);
    expect(withPassword.status).toBe(200);
    expect(Array.isArray(await withPassword.json())).toBe(true);
    expect((await opencode(machineId, "/session")).status).toBe(401);
    expect((await opencode(machineId, "/session", "wrong-password")).status).toBe(401);

    // Warm: answered from the Durable Object; events resume after a seq.
    const again = (await (await call("/api/stack/wake", alice, { method: "POST" })).json()) as Stack;
    expect(again.machines.opencode?.machineId).toBe(machineId);
    const later = (await (await call(`/api/stack?after=${stack.lastSeq}`, alice)).json()) as Stack;
    expect(later.events).toEqual([]);

    // Mirrored into user_stacks (ready is "running" there), without secrets.
    const me = (await (await call("/api/me", alice)).json()) as { id: string };
    const db = stackDb();
    const [row] = await db.select().from(userStacks).where(eq(userStacks.userId, me.id));
    await db.$client.end();
    expect(row).toMatchObject({
      status: "running",
      flyApp: "growqr-runtime",
      flyMachineId: machineId,
      lastError: null,
    });
    expect(JSON.stringify(row)).not.toContain(password);

    // Another user sees only their own (empty) stack.
    const bob = await mintToken(uniqueUser("stack-b"));
    const bobs = (await (await call("/api/stack", bob)).json()) as Stack;
    expect(bobs.status).toBe("none");
    expect(bobs.machines).toEqual({});
  });

  it("serialises 100 concurrent wakes of a new user's stack in its Durable Object, and wakes it from suspended", async () => {
    const token = await mintToken(uniqueUser("stack-c"));
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => call("/api/stack/wake", token, { method: "POST" })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    const views = (await Promise.all(responses.map((r) => r.json()))) as Stack[];
    const ids = new Set(views.flatMap((v) => [v.machines.opencode?.machineId, v.machines.gitea?.machineId]));
    expect(ids.size).toBe(2);

    const machines = await devFlyMachines();
    const opencodeName = machines.find((m) => ids.has(m.id))?.name ?? "";
    const prefix = opencodeName.replace(/-(opencode|gitea)$/, "-");
    expect(machines.filter((m) => m.name.startsWith(prefix))).toHaveLength(2);

    const suspended = (await (await call("/api/stack/suspend", token, { method: "POST" })).json()) as Stack;
    expect(suspended.status).toBe("suspended");
    expect((await devFlyMachines()).filter((m) => ids.has(m.id)).map((m) => m.state)).toEqual([
      "suspended",
      "suspended",
    ]);
    const woken = await call("/api/stack/wake", token, { method: "POST" });
    expect(((await woken.json()) as Stack).status).toBe("ready");
    expect((await devFlyMachines()).filter((m) => ids.has(m.id)).map((m) => m.state)).toEqual([
      "started",
      "started",
    ]);
  });

  it("requires a session token", async () => {
    const response = await call("/api/stack/wake", undefined, { method: "POST" });
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.code).toBe("missing_token");
  });
});
