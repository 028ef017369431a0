import { existsSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import type { components } from "../../provisioner/src/fly/fly-api.gen";
import type { Faults } from "./faults";
import { type ImageRunner, imageTag, placeholderImage } from "./images";
import { LocalMachine, type MachineState, machineDir } from "./local-machine";
import { matchRoute } from "./routes";

type Machine = components["schemas"]["Machine"];
type MachineConfig = components["schemas"]["fly.MachineConfig"];
type Volume = components["schemas"]["Volume"];
type Lease = components["schemas"]["Lease"];

export interface MachineRecord {
  app: string;
  name: string;
  region: string;
  config: MachineConfig;
  createdAt: string;
  updatedAt: string;
  local: LocalMachine;
  lease?: Lease & { expiresAtMs: number };
}

const now = () => new Date().toISOString();
const hexId = (length: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(length / 2)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readJson(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, "invalid JSON body");
  }
}

export interface FlyApiOptions {
  token: string;
  apps: string[];
  stateDir: string;
  images: Record<string, ImageRunner>;
  faults: Faults;
  log: (line: string) => void;
}

/**
 * The state and the handlers of dev/fly's Machines API (the subset in routes.ts), with response shapes typed
 * from Fly's spec. The HTTP server, the edge and the control endpoints are in fly-server.ts.
 */
export function createFlyApi(options: FlyApiOptions) {
  const { log, faults, images } = options;
  const apps = new Set(options.apps);
  const machines = new Map<string, MachineRecord>();
  const volumes = new Map<string, Volume & { app: string }>();
  const stateFile = path.join(options.stateDir, "state.json");

  const newLocalMachine = (id: string, app: string, name: string, config: MachineConfig) =>
    new LocalMachine(id, () => runnerFor(machines.get(id)?.config ?? config), {
      env: config.env ?? {},
      mounts: mountsFor(app, config),
      machineDir: machineDir(options.stateDir, id),
      log: (line) => log(`[machine ${name}] ${line}`),
    });

  // Machines and volumes outlive a restart of `npm run dev` (as on Fly, where they outlive the provisioner);
  // their processes do not, so they come back stopped and the edge starts them on the next request.
  const persist = () => {
    const snapshot = {
      apps: [...apps],
      volumes: [...volumes.values()],
      machines: [...machines]
        .filter(([, m]) => m.local.state !== "destroyed")
        .map(([id, m]) => ({
          id,
          app: m.app,
          name: m.name,
          region: m.region,
          config: m.config,
          createdAt: m.createdAt,
        })),
    };
    // Machine env holds per-user secrets (as on Fly): readable by the developer only.
    void writeFile(stateFile, JSON.stringify(snapshot), { mode: 0o600 }).catch(() => {});
  };

  const machineJson = (id: string, record: MachineRecord): Machine => ({
    id,
    name: record.name,
    state: record.local.state,
    region: record.region,
    instance_id: record.local.instanceId,
    private_ip: "fdaa::1",
    config: record.config,
    image_ref: {
      registry: "registry.fly.io",
      repository: record.config.image ?? "",
      tag: imageTag(record.config.image),
    },
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    events: [],
    checks: [],
  });

  const findMachine = (app: string, id: string): MachineRecord => {
    const record = machines.get(id);
    if (!record || record.app !== app || record.local.state === "destroyed")
      throw new HttpError(404, "machine not found");
    return record;
  };

  const checkLease = (record: MachineRecord, nonce: string | undefined) => {
    const lease = record.lease;
    if (!lease || lease.expiresAtMs < Date.now()) return;
    if (nonce !== lease.nonce)
      throw new HttpError(412, "machine is leased; pass its nonce in fly-machine-lease-nonce");
  };

  const volumeDir = (id: string) => path.join(options.stateDir, "volumes", id);

  /** The machine a volume is bound to, until that machine is destroyed (Fly then unbinds the volume). */
  const boundMachine = (volume: Volume) => {
    const record = volume.attached_machine_id ? machines.get(volume.attached_machine_id) : undefined;
    return record && record.local.state !== "destroyed" ? volume.attached_machine_id : undefined;
  };

  const runnerFor = (config: MachineConfig): ImageRunner => {
    const tag = imageTag(config.image);
    if (faults.neverHealthyImages.includes(tag)) return placeholderImage(tag, { neverHealthy: true });
    return images[tag] ?? placeholderImage(tag || "machine");
  };

  const mountsFor = (app: string, config: MachineConfig) => {
    const mounts: Record<string, string> = {};
    for (const mount of config.mounts ?? []) {
      const volume = mount.volume ? volumes.get(mount.volume) : undefined;
      if (!volume || volume.app !== app) throw new HttpError(400, `volume ${mount.volume} not found`);
      if (mount.path) mounts[mount.path] = volumeDir(volume.id ?? "");
    }
    return mounts;
  };

  if (existsSync(stateFile)) {
    type Saved = {
      id: string;
      app: string;
      name: string;
      region: string;
      config: MachineConfig;
      createdAt: string;
    };
    const saved = JSON.parse(readFileSync(stateFile, "utf8")) as {
      apps: string[];
      volumes: Array<Volume & { app: string }>;
      machines: Saved[];
    };
    for (const app of saved.apps) apps.add(app);
    for (const volume of saved.volumes) volumes.set(volume.id ?? "", volume);
    for (const m of saved.machines) {
      const local = newLocalMachine(m.id, m.app, m.name, m.config);
      local.state = "stopped";
      machines.set(m.id, { ...m, updatedAt: m.createdAt, local });
    }
  }

  async function api(method: string, url: URL, request: http.IncomingMessage): Promise<[number, unknown]> {
    if (request.headers.authorization !== `Bearer ${options.token}`) throw new HttpError(401, "unauthorized");
    const matched = matchRoute(method, url.pathname);
    if (!matched) throw new HttpError(404, `no route ${method} ${url.pathname}`);
    const { route, params } = matched;
    const app = params.app_name ?? "";
    if (route[1] !== "/apps" && !apps.has(app)) throw new HttpError(404, "app not found");
    const nonce = request.headers["fly-machine-lease-nonce"] as string | undefined;

    switch (`${route[0]} ${route[1]}`) {
      case "GET /apps":
        return [
          200,
          { total_apps: apps.size, apps: [...apps].map((name) => ({ name, id: name, machine_count: 0 })) },
        ];
      case "POST /apps": {
        const body = await readJson(request);
        apps.add(String(body.app_name));
        return [201, {}];
      }
      case "GET /apps/{app_name}":
        return [200, { name: app, id: app, status: "deployed", organization: { slug: "personal" } }];
      case "DELETE /apps/{app_name}":
        apps.delete(app);
        return [202, {}];
      case "GET /apps/{app_name}/machines":
        return [
          200,
          [...machines]
            .filter(([, m]) => m.app === app && m.local.state !== "destroyed")
            .map(([id, m]) => machineJson(id, m)),
        ];
      case "POST /apps/{app_name}/machines": {
        const body = (await readJson(request)) as components["schemas"]["CreateMachineRequest"];
        const config = body.config ?? {};
        const taken = [...machines.values()].some(
          (m) => m.app === app && m.name === body.name && m.local.state !== "destroyed",
        );
        if (body.name && taken) throw new HttpError(409, `a machine named ${body.name} already exists`);
        const id = hexId(14);
        const local = newLocalMachine(id, app, body.name ?? id, config);
        for (const mount of config.mounts ?? []) {
          const volume = mount.volume ? volumes.get(mount.volume) : undefined;
          if (volume) volume.attached_machine_id = id;
        }
        const record: MachineRecord = {
          app,
          name: body.name ?? id,
          region: body.region ?? "local",
          config,
          createdAt: now(),
          updatedAt: now(),
          local,
        };
        machines.set(id, record);
        const json = machineJson(id, record);
        if (body.lease_ttl) {
          record.lease = {
            nonce: hexId(12),
            expires_at: 0,
            expiresAtMs: Date.now() + body.lease_ttl * 1000,
            owner: "api",
          };
          json.nonce = record.lease.nonce;
        }
        if (!body.skip_launch) void local.start();
        return [200, json];
      }
      case "GET /apps/{app_name}/machines/{machine_id}":
        return [200, machineJson(params.machine_id ?? "", findMachine(app, params.machine_id ?? ""))];
      case "POST /apps/{app_name}/machines/{machine_id}": {
        const record = findMachine(app, params.machine_id ?? "");
        checkLease(record, nonce);
        const body = (await readJson(request)) as components["schemas"]["UpdateMachineRequest"];
        if (body.config) record.config = body.config;
        record.updatedAt = now();
        return [200, machineJson(params.machine_id ?? "", record)];
      }
      case "DELETE /apps/{app_name}/machines/{machine_id}": {
        const record = findMachine(app, params.machine_id ?? "");
        checkLease(record, nonce);
        if (record.local.state === "started" && url.searchParams.get("force") !== "true")
          throw new HttpError(412, "machine is started; stop it or pass force=true");
        await record.local.destroy();
        for (const volume of volumes.values())
          if (volume.attached_machine_id === params.machine_id) volume.attached_machine_id = undefined;
        return [200, { ok: true }];
      }
      case "POST /apps/{app_name}/machines/{machine_id}/start": {
        const record = findMachine(app, params.machine_id ?? "");
        checkLease(record, nonce);
        const previous = record.local.state;
        void record.local.start();
        return [200, { previous_state: previous }];
      }
      case "POST /apps/{app_name}/machines/{machine_id}/stop": {
        const record = findMachine(app, params.machine_id ?? "");
        checkLease(record, nonce);
        void record.local.stop();
        return [200, { ok: true }];
      }
      case "POST /apps/{app_name}/machines/{machine_id}/suspend": {
        const record = findMachine(app, params.machine_id ?? "");
        checkLease(record, nonce);
        if (record.local.state !== "started")
          throw new HttpError(412, `cannot suspend a ${record.local.state} machine`);
        void record.local.suspend();
        return [200, { ok: true }];
      }
      case "GET /apps/{app_name}/machines/{machine_id}/wait": {
        const record = machines.get(params.machine_id ?? "");
        if (!record || record.app !== app) throw new HttpError(404, "machine not found");
        const state = (url.searchParams.get("state") ?? "started") as MachineState;
        if (!["started", "stopped", "destroyed", "suspended"].includes(state))
          throw new HttpError(400, "invalid state");
        const timeout = Math.min(60, Number(url.searchParams.get("timeout") ?? 60));
        if (!(await record.local.waitFor(state, timeout * 1000)))
          throw new HttpError(408, `deadline_exceeded: machine did not reach ${state} in ${timeout}s`);
        return [200, { ok: true }];
      }
      case "GET /apps/{app_name}/machines/{machine_id}/lease": {
        const record = findMachine(app, params.machine_id ?? "");
        if (!record.lease || record.lease.expiresAtMs < Date.now()) throw new HttpError(404, "no lease");
        return [200, leaseJson(record.lease)];
      }
      case "POST /apps/{app_name}/machines/{machine_id}/lease": {
        const record = findMachine(app, params.machine_id ?? "");
        if (record.lease && record.lease.expiresAtMs > Date.now() && record.lease.nonce !== nonce)
          throw new HttpError(409, "lease currently held");
        const body = await readJson(request);
        const ttl = Number(body.ttl ?? 30);
        const expiresAtMs = Date.now() + ttl * 1000;
        record.lease = {
          nonce: hexId(12),
          expires_at: Math.floor(expiresAtMs / 1000),
          expiresAtMs,
          owner: "api",
          description: typeof body.description === "string" ? body.description : "",
        };
        return [200, leaseJson(record.lease)];
      }
      case "DELETE /apps/{app_name}/machines/{machine_id}/lease": {
        const record = findMachine(app, params.machine_id ?? "");
        if (record.lease && record.lease.nonce !== nonce) throw new HttpError(412, "wrong lease nonce");
        record.lease = undefined;
        return [200, {}];
      }
      case "GET /apps/{app_name}/volumes":
        return [200, [...volumes.values()].filter((v) => v.app === app).map(volumeJson)];
      case "POST /apps/{app_name}/volumes": {
        const body = (await readJson(request)) as components["schemas"]["CreateVolumeRequest"];
        const id = `vol_${hexId(16)}`;
        const volume = {
          app,
          id,
          name: body.name ?? id,
          region: body.region ?? "local",
          size_gb: body.size_gb ?? 1,
          encrypted: body.encrypted ?? true,
          state: "created",
          created_at: now(),
        };
        volumes.set(id, volume);
        return [200, volumeJson(volume)];
      }
      case "GET /apps/{app_name}/volumes/{volume_id}": {
        const volume = volumes.get(params.volume_id ?? "");
        if (!volume || volume.app !== app) throw new HttpError(404, "volume not found");
        return [200, volumeJson(volume)];
      }
      case "DELETE /apps/{app_name}/volumes/{volume_id}": {
        const volume = volumes.get(params.volume_id ?? "");
        if (!volume || volume.app !== app) throw new HttpError(404, "volume not found");
        // As Fly: a volume bound to a machine, even a stopped one, is refused until that machine is destroyed.
        const bound = boundMachine(volume);
        if (bound)
          throw new HttpError(412, `failed_precondition: volume is currently bound to machine: ${bound}`);
        volumes.delete(params.volume_id ?? "");
        // A destroyed volume's data is gone, as on Fly: the next volume never sees it.
        await rm(volumeDir(params.volume_id ?? ""), { recursive: true, force: true });
        return [200, volumeJson({ ...volume, state: "destroyed" })];
      }
    }
    throw new HttpError(404, "unhandled route");
  }

  return { machines, handle: api, persist };
}

const leaseJson = ({ expiresAtMs: _, ...lease }: Lease & { expiresAtMs: number }): Lease => lease;
const volumeJson = ({ app: _, ...volume }: Volume & { app: string }): Volume => volume;
