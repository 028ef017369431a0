import { describe, expect, inject, it } from "vitest";
import { createFlyClient } from "../../provisioner/src/fly/fly-client";
import { giteaLoginFor } from "../../worker/src/git/bootstrap-user-repo";
import { connectAgent } from "../support/agent";
import { apiUrl, call, signUp } from "../support/api";
import { openLive } from "../support/live";

/**
 * Issue 20's acceptance: each user's memory lives in their own Gitea machine under dev/fly (dev/gitea as the image,
 * its volume a directory), reached through the provisioner; a write to a sleeping stack is acknowledged and lands;
 * a lost machine and volume come back from the durable copy with every file and commit.
 */
const APP = "growqr-runtime";
const fly = () => createFlyClient({ baseUrl: inject("flyApiUrl"), token: inject("flyToken") });
const put = (token: string, path: string, content: string, message: string) =>
  call("/api/memory/file", token, { method: "PUT", body: JSON.stringify({ path, content, message }) });
const file = async (token: string, path: string) =>
  call(`/api/memory/file?path=${encodeURIComponent(path)}`, token);
const history = async (token: string, path: string) => {
  const response = await call(`/api/memory/history?path=${encodeURIComponent(path)}`, token);
  if (!response.ok) return { status: response.status, messages: [] as string[], dates: [] as string[] };
  const body = (await response.json()) as { items: Array<{ message: string; date: string }> };
  return {
    status: response.status,
    messages: body.items.map((c) => c.message),
    dates: body.items.map((c) => c.date),
  };
};
/** To git's precision: whole seconds. */
const toSecond = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();

async function machinesOf(userId: string) {
  const all = await fly().machines.list(APP);
  const mine = all.filter((m) => m.config?.metadata?.growqr_user === userId && m.state !== "destroyed");
  return {
    gitea: mine.find((m) => m.config?.metadata?.growqr_role === "gitea"),
    opencode: mine.find((m) => m.config?.metadata?.growqr_role === "opencode"),
  };
}

/** A request to one machine through dev/fly's edge, as the Worker makes it. */
function atMachine(machineId: string, path: string, auth?: { user: string; password: string }) {
  const headers: Record<string, string> = { "fly-force-instance-id": machineId };
  if (auth) headers.authorization = `Basic ${btoa(`${auth.user}:${auth.password}`)}`;
  return fetch(`${inject("flyEdgeUrl")}${path}`, { headers });
}

async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("memory in each user's own Gitea machine", () => {
  it("two users: two Gitea machines, each repository only in its owner's, the other's credential refused", async () => {
    const [alice, bob] = [await signUp("gitea-a"), await signUp("gitea-b")];
    expect((await put(alice.token, "notes/a.md", "alice only", "A")).status).toBe(200);
    expect((await put(bob.token, "notes/b.md", "bob only", "B")).status).toBe(200);

    const [a, b] = [await machinesOf(alice.id), await machinesOf(bob.id)];
    expect(a.gitea?.id).toBeTruthy();
    expect(b.gitea?.id).toBeTruthy();
    expect(a.gitea?.id).not.toBe(b.gitea?.id);
    expect(a.gitea?.config?.mounts?.[0]?.volume).not.toBe(b.gitea?.config?.mounts?.[0]?.volume);
    // Memory woke Gitea alone: no sandbox was made for it.
    expect(a.opencode).toBeUndefined();

    const admin = (m: typeof a.gitea) => ({
      user: "growqr-admin",
      password: m?.config?.env?.GITEA_ADMIN_PASSWORD ?? "",
    });
    const aliceFile = `/api/v1/repos/${giteaLoginFor(alice.id)}/growqr-memory/contents/notes/a.md`;
    const aliceId = a.gitea?.id ?? "";
    const bobId = b.gitea?.id ?? "";
    expect((await atMachine(aliceId, aliceFile, admin(a.gitea))).status).toBe(200);
    // Alice's repository is nowhere on Bob's machine, and Bob's machine credential opens nothing on Alice's.
    expect((await atMachine(bobId, aliceFile, admin(b.gitea))).status).toBe(404);
    expect((await atMachine(aliceId, aliceFile, admin(b.gitea))).status).toBe(401);
    const anonymous = await atMachine(aliceId, aliceFile);
    expect(anonymous.status).toBeGreaterThanOrEqual(400);
    expect(await anonymous.text()).not.toContain("alice only");
  });

  it("a sleeping stack: reads come from L2 without waking it; a write is acknowledged, wakes Gitea and lands", async () => {
    const alice = await signUp("gitea-sleep");
    expect((await put(alice.token, "notes/plan.md", "v1", "Plan v1")).status).toBe(200);
    const suspended = (await (await call("/api/stack/suspend", alice.token, { method: "POST" })).json()) as {
      status: string;
    };
    expect(suspended.status).toBe("suspended");
    const { gitea } = await machinesOf(alice.id);
    const giteaId = gitea?.id ?? "";
    expect((await fly().machines.get(APP, giteaId)).state).toBe("suspended");

    const read = await file(alice.token, "notes/plan.md");
    expect(await read.json()).toMatchObject({ content: "v1", source: "l2" });
    const listed = (await (await call("/api/memory?prefix=notes", alice.token)).json()) as {
      items: Array<{ path: string }>;
    };
    expect(listed.items.map((e) => e.path)).toEqual(["notes/plan.md"]);
    expect((await fly().machines.get(APP, giteaId)).state).toBe("suspended");

    // A read L2 cannot answer (the bootstrap's README lives only in git) wakes it, saying so.
    const miss = await file(alice.token, "system/README.md");
    expect(miss.status).toBe(503);
    expect(((await miss.json()) as { error: { code: string } }).error.code).toBe("memory_waking");
    expect(miss.headers.get("retry-after")).toBe("2");
    const woken = await until(
      () => file(alice.token, "system/README.md"),
      (r) => r.status === 200,
    );
    expect(woken.status).toBe(200);

    await call("/api/stack/suspend", alice.token, { method: "POST" });
    const write = await put(alice.token, "notes/plan.md", "v2", "Plan v2");
    expect([200, 202]).toContain(write.status);
    const landed = await until(
      () => history(alice.token, "notes/plan.md"),
      (h) => h.messages[0] === "Plan v2",
    );
    expect(landed.messages).toEqual(["Plan v2", "Plan v1"]);
    const stack = (await (await call("/api/stack", alice.token)).json()) as { status: string; up: string[] };
    expect(stack).toMatchObject({ status: "ready", up: ["gitea"] });
  });

  it("a Gitea machine and its volume lost while asleep come back at the next wake with every file and commit", async () => {
    const alice = await signUp("gitea-lost");
    const writes: Array<[string, string, string]> = [
      ["notes/a.md", "a1", "A one"],
      ["notes/b.md", "b1", "B one"],
      ["notes/a.md", "a2", "A two"],
    ];
    for (const [path, content, message] of writes)
      expect((await put(alice.token, path, content, message)).status).toBe(200);
    const before = await history(alice.token, "notes/a.md");
    expect(before.messages).toEqual(["A two", "A one"]);

    await call("/api/stack/suspend", alice.token, { method: "POST" });
    const { gitea } = await machinesOf(alice.id);
    const volumeId = gitea?.config?.mounts?.[0]?.volume ?? "";
    await fly().machines.delete(APP, gitea?.id ?? "");
    await fly().volumes.delete(APP, volumeId);

    // The next write wakes the stack: a new machine and volume, the repository rebuilt, then the write.
    const write = await put(alice.token, "notes/b.md", "b2", "B two");
    expect([200, 202]).toContain(write.status);
    const b = await until(
      () => history(alice.token, "notes/b.md"),
      (h) => h.messages[0] === "B two",
    );
    expect(b.messages).toEqual(["B two", "B one"]);
    expect((await history(alice.token, "notes/a.md")).messages).toEqual(["A two", "A one"]);
    const after = await machinesOf(alice.id);
    expect(after.gitea?.id).not.toBe(gitea?.id);
    expect(after.gitea?.config?.mounts?.[0]?.volume).not.toBe(volumeId);
    // Straight from git on the new machine, not from L2.
    const password = after.gitea?.config?.env?.GITEA_ADMIN_PASSWORD ?? "";
    const contents = await atMachine(
      after.gitea?.id ?? "",
      `/api/v1/repos/${giteaLoginFor(alice.id)}/growqr-memory/contents/notes/a.md`,
      { user: "growqr-admin", password },
    );
    const { content } = (await contents.json()) as { content: string };
    expect(Buffer.from(content, "base64").toString("utf8")).toBe("a2");
    // Each restored commit keeps the date it was first made, not the restore's.
    const commits = await atMachine(
      after.gitea?.id ?? "",
      `/api/v1/repos/${giteaLoginFor(alice.id)}/growqr-memory/commits?path=notes/a.md`,
      { user: "growqr-admin", password },
    );
    const restored = (await commits.json()) as Array<{
      commit: { message: string; author: { date: string } };
    }>;
    expect(restored.map((c) => c.commit.message.trim())).toEqual(["A two", "A one"]);
    expect(restored.map((c) => new Date(c.commit.author.date).toISOString())).toEqual(
      before.dates.map(toSecond),
    );
  });
  it("opening the app does not keep a running stack awake: system memory is read ahead from L2, not the stack", async () => {
    const alice = await signUp("gitea-idle");
    expect((await put(alice.token, "system/me.md", "Name: Alice", "Me")).status).toBe(200);
    const stack = async () =>
      (await (await call("/api/stack", alice.token)).json()) as { status: string; lastActiveAt: string };
    const before = await stack();
    expect(before.status).toBe("ready");
    // A page load: the SPA's live socket (the hub's `hubListening`) and a client of the agent (`onConnect`).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const live = await openLive(apiUrl(), alice.token);
    const agent = await connectAgent(apiUrl(), alice.id, alice.token);
    try {
      // Both read ahead after the answer (waitUntil): time for them to have run.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      // Any call to the provisioner for the stack would have moved its idle clock (stack-controller.ts `touch`).
      expect((await stack()).lastActiveAt).toBe(before.lastActiveAt);
    } finally {
      await agent.dispose();
      live.ws.close();
    }
  });
});
