import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlyClient } from "../../provisioner/src/fly/fly-client";
import spec from "../../provisioner/src/fly/fly-machines.openapi3.json" with { type: "json" };
import { type DevFly, startDevFly } from "./fly-server";
import { placeholderImage } from "./images";
import { FLY_ROUTES } from "./routes";

type Schema = { properties?: Record<string, unknown> };
const schemas = spec.components.schemas as Record<string, Schema>;
const keysOf = (name: string) => Object.keys(schemas[name]?.properties ?? {});

let fly: DevFly;
let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-devfly-"));
  fly = await startDevFly({ token: "t", apps: ["app"], stateDir, images: { x: placeholderImage("x") } });
});
afterAll(async () => {
  await fly?.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe("dev/fly against Fly's spec", () => {
  it("serves only operations that the spec defines", () => {
    const paths = spec.paths as Record<string, Record<string, unknown>>;
    for (const [method, route] of FLY_ROUTES)
      expect(paths[route]?.[method.toLowerCase()], `${method} ${route}`).toBeDefined();
  });

  it("answers with the spec's Machine, Volume and Lease shapes and enforces leases", async () => {
    const client = createFlyClient({
      baseUrl: fly.apiUrl,
      token: "t",
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const volume = await client.volumes.create("app", { name: "v", size_gb: 1 });
    for (const key of Object.keys(volume)) expect(keysOf("Volume")).toContain(key);
    const machine = await client.machines.create("app", {
      name: "m",
      config: { image: "r/app:x", mounts: [{ volume: volume.id, path: "/data" }] },
    });
    for (const key of Object.keys(machine)) expect(keysOf("Machine")).toContain(key);
    await client.machines.wait("app", machine.id ?? "", "started", 10);

    const nonce = await client.leases.acquire("app", machine.id ?? "", 30, "test");
    const lease = await client.leases.get("app", machine.id ?? "");
    for (const key of Object.keys(lease)) expect(keysOf("Lease")).toContain(key);
    await expect(client.machines.stop("app", machine.id ?? "")).rejects.toMatchObject({ kind: "conflict" });
    await expect(client.leases.acquire("app", machine.id ?? "", 30, "other")).rejects.toMatchObject({
      kind: "conflict",
    });
    await client.machines.suspend("app", machine.id ?? "", nonce);
    await client.machines.wait("app", machine.id ?? "", "suspended", 10);
    await client.leases.release("app", machine.id ?? "", nonce);
    await expect(client.machines.wait("app", machine.id ?? "", "stopped", 1)).rejects.toMatchObject({
      kind: "unavailable",
      status: 408,
    });
  });

  it("refuses a wrong token and unknown apps with typed errors", async () => {
    const bad = createFlyClient({
      baseUrl: fly.apiUrl,
      token: "nope",
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(bad.machines.list("app")).rejects.toMatchObject({ kind: "unauthorized", status: 401 });
    const client = createFlyClient({ baseUrl: fly.apiUrl, token: "t" });
    await expect(client.machines.list("nope")).rejects.toMatchObject({ kind: "not_found" });
  });

  it("gives up after the retry budget with the last status", async () => {
    const client = createFlyClient({
      baseUrl: fly.apiUrl,
      token: "t",
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    fly.faults.rules = [{ method: "GET", path: "/volumes$", status: 503, count: 5 }];
    await expect(client.volumes.list("app")).rejects.toMatchObject({ kind: "unavailable", status: 503 });
    fly.faults.rules = [];
  });
});
