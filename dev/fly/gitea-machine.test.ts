import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlyClient, type FlyClient } from "../../provisioner/src/fly/fly-client";
import {
  giteaLoginFor,
  MEMORY_REPO,
  MEMORY_TOKEN_NAME,
  MEMORY_TOKEN_SCOPES,
} from "../../worker/src/git/bootstrap-user-repo";
import { GiteaClient } from "../../worker/src/git/gitea-client";
import { type DevFly, startDevFly } from "./fly-server";
import { giteaImage } from "./images";

const APP = "growqr-runtime";
const IMAGE = `registry.fly.io/${APP}:gitea`;
const ADMIN = "growqr-admin";
const NO_RETRY = { retries: 0, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 };

let fly: DevFly;
let client: FlyClient;
let stateDir: string;
const logs: string[] = [];

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-devfly-gitea-"));
  fly = await startDevFly({ token: "t", apps: [APP], stateDir, log: (line) => logs.push(line) });
  client = createFlyClient({
    baseUrl: fly.apiUrl,
    token: "t",
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
});
afterAll(async () => {
  await fly?.close();
  await rm(stateDir, { recursive: true, force: true });
});

/** A request to machine `id` through dev/fly's edge, as Fly's proxy routes `fly-force-instance-id`. */
const edge = (id: string, urlPath: string, init: RequestInit = {}) =>
  fetch(`${fly.edgeUrl}${urlPath}`, {
    ...init,
    headers: { "fly-force-instance-id": id, ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(5_000),
  });

const basic = (username: string, password: string) => `Basic ${btoa(`${username}:${password}`)}`;

/**
 * Waits until the machine's Gitea answers its health check through the edge. Generous: machines
 * run at the lowest CPU priority (guest-priority.ts), so a boot of about 0.3 s takes seconds on a busy host.
 */
async function untilHealthy(id: string, timeoutMs = 25_000): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const status = await edge(id, "/api/healthz").then(
      (r) => r.body?.cancel().then(() => r.status),
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`machine ${id} not healthy after ${timeoutMs} ms`);
}

/** A volume and a Gitea machine on it; returns once the machine answers its health check. */
async function giteaMachine(name: string, password: string) {
  const volume = await client.volumes.create(APP, { name: `${name}_data`, size_gb: 1 });
  const machine = await client.machines.create(APP, {
    name,
    config: {
      image: IMAGE,
      env: { GITEA_ADMIN_USER: ADMIN, GITEA_ADMIN_PASSWORD: password },
      mounts: [{ volume: volume.id, path: "/data" }],
    },
  });
  const id = machine.id ?? "";
  await untilHealthy(id);
  return { id, volumeId: volume.id ?? "", password };
}

/** The Worker's admin client for a machine: Basic auth as the admin, through the edge to that machine. */
const adminClient = (machine: { id: string; password: string }, password = machine.password) =>
  new GiteaClient({
    baseUrl: fly.edgeUrl,
    auth: { basic: { username: ADMIN, password } },
    retry: NO_RETRY,
    fetch: (request) => {
      const routed = new Request(request);
      routed.headers.set("fly-force-instance-id", machine.id);
      return fetch(routed);
    },
  });

describe("dev/fly runs dev/gitea as each user's Gitea machine", () => {
  let a: Awaited<ReturnType<typeof giteaMachine>>;
  let b: Awaited<ReturnType<typeof giteaMachine>>;
  const userId = crypto.randomUUID();
  const login = giteaLoginFor(userId);

  beforeAll(async () => {
    [a, b] = await Promise.all([
      giteaMachine("gitea-a", "password-of-a-1"),
      giteaMachine("gitea-b", "password-of-b-2"),
    ]);
  });

  it("runs one process per machine, answering health like Gitea", async () => {
    const pids = fly.machines().map((m) => m.pid);
    expect(new Set(pids).size).toBe(2);
    const health = await edge(a.id, "/api/healthz");
    expect(health.headers.get("content-type")).toBe("application/health+json");
    expect(await health.json()).toMatchObject({ status: "pass" });
  });

  it("serves every admin call the Worker's bootstrap makes, with the admin's Basic auth", async () => {
    // The sequence of worker/src/git/bootstrap-user-repo.ts: user, password reset, token as the user, repository.
    const admin = adminClient(a);
    expect(await admin.getUser(login)).toBeNull();
    await admin.adminCreateUser({
      username: login,
      email: `${login}@users.noreply.growqr.invalid`,
      password: "first-password-1",
    });
    await admin.adminSetPassword(login, "second-password-2");
    const asUser = admin.withAuth({ basic: { username: login, password: "second-password-2" } });
    expect(await asUser.listTokens(login)).toEqual([]);
    const token = await asUser.createToken(login, { name: MEMORY_TOKEN_NAME, scopes: MEMORY_TOKEN_SCOPES });
    await admin.adminCreateRepo(login, { name: MEMORY_REPO, private: true });
    const user = admin.withAuth({ token: token.sha1 ?? "" });
    expect((await user.currentUser()).login).toBe(login);
    expect((await user.getRepo(login, MEMORY_REPO))?.private).toBe(true);
    expect((await admin.getUser(login))?.login).toBe(login);
  });

  it("refuses A's admin on B, and anonymous callers everywhere", async () => {
    const onB = await edge(b.id, "/api/v1/user", { headers: { authorization: basic(ADMIN, a.password) } });
    expect(onB.status).toBe(401);
    await expect(adminClient(b, a.password).getUser(login)).rejects.toMatchObject({ status: 401 });
    expect(await adminClient(b).getUser(login)).toBeNull();

    // Gitea with REQUIRE_SIGNIN_VIEW: 403 "Only signed in user…" on the API, a Basic challenge on git.
    for (const urlPath of [
      `/api/v1/users/${login}`,
      `/api/v1/users/${ADMIN}`,
      `/api/v1/repos/${login}/${MEMORY_REPO}`,
      `/api/v1/repos/${login}/${MEMORY_REPO}/contents/system/README.md`,
      "/api/v1/version",
    ]) {
      const anonymous = await edge(a.id, urlPath);
      expect(anonymous.status, urlPath).toBe(403);
      expect(await anonymous.json()).toMatchObject({
        message: "Only signed in user is allowed to call APIs.",
      });
    }
    const clone = await edge(a.id, `/${login}/${MEMORY_REPO}.git/info/refs?service=git-upload-pack`);
    expect(clone.status).toBe(401);
    expect(clone.headers.get("www-authenticate")).toMatch(/^Basic/);
  });

  it("keeps the repository on the volume across stop and start", async () => {
    await client.machines.stop(APP, a.id);
    await client.machines.wait(APP, a.id, "stopped", 10);
    await client.machines.start(APP, a.id);
    await client.machines.wait(APP, a.id, "started", 10);
    await untilHealthy(a.id);
    expect((await adminClient(a).getRepo(login, MEMORY_REPO))?.private).toBe(true);
    expect(logs.some((line) => line.includes(`admin ${ADMIN} exists`))).toBe(true);
  });

  it("cuts A off at the edge for the fault's window, then A answers again", async () => {
    // A request in flight (its body never ends, so A is still waiting for it) is cut as well.
    const stalled = edge(a.id, "/api/v1/admin/users", {
      method: "POST",
      headers: { authorization: basic(ADMIN, a.password), "content-type": "application/json" },
      body: new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode("{")) }),
      duplex: "half",
    } as RequestInit);
    const outcome = stalled.then(
      () => "answered",
      // A cut connection, not the request's own timeout (a TimeoutError).
      (error: Error) => error.name,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    fly.interruptMachine(a.id, 1_500);
    expect(await outcome).toBe("TypeError");
    const cutAt = performance.now();
    await expect(edge(a.id, "/api/healthz")).rejects.toMatchObject({ name: "TypeError" });
    expect((await edge(b.id, "/api/healthz")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500 - (performance.now() - cutAt)));
    expect((await edge(a.id, "/api/healthz")).status).toBe(200);

    fly.interruptImage("gitea", 60_000);
    await expect(edge(b.id, "/api/healthz")).rejects.toMatchObject({ name: "TypeError" });
    fly.interruptImage("gitea", 0);
    expect((await edge(b.id, "/api/healthz")).status).toBe(200);
  });

  it("deletes the volume's data once its machine is destroyed, and refuses while it is bound", async () => {
    const dataDir = path.join(stateDir, "volumes", a.volumeId);
    expect(await readdir(dataDir)).toContain("repositories");
    await expect(client.volumes.delete(APP, a.volumeId)).rejects.toMatchObject({ status: 412 });
    await client.machines.delete(APP, a.id);
    await client.volumes.delete(APP, a.volumeId);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe("the gitea image", () => {
  it("exits non-zero, naming the variable, without the admin's password", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "growqr-gitea-env-"));
    try {
      const command = await giteaImage({ port: 1, env: {}, mounts: { "/data": dir }, machineDir: dir });
      const child = spawn(command.command, command.args, {
        env: { PATH: process.env.PATH, ...command.env, PORT: "1", GITEA_ADMIN_USER: ADMIN },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise((resolve) => child.once("close", resolve));
      expect(code).toBe(1);
      expect(stderr).toContain("GITEA_ADMIN_PASSWORD must be set");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
