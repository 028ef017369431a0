import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type DevFly, startDevFly } from "../../dev/fly/fly-server";
import { placeholderImage } from "../../dev/fly/images";
import { createLogger } from "../../platform/logger";
import { createFlyClient } from "../../provisioner/src/fly/fly-client";
import type { LifecycleConfig } from "../../provisioner/src/stack/lifecycle";
import type { RuntimeConfig } from "../../provisioner/src/stack/machine-spec";
import { generateSecretsKey, importSecretsKey } from "../../provisioner/src/stack/secrets";
import { StackController } from "../../provisioner/src/stack/stack-controller";
import type { StackStorage } from "../../provisioner/src/stack/stack-deps";
import type { StackEvent, StackRecord } from "../../provisioner/src/stack/stack-record";

export const TEST_APP = "growqr-runtime-test";
export const TEST_TOKEN = "dev-fly-token";

export const runtime: RuntimeConfig = {
  app: TEST_APP,
  region: "local",
  images: {
    opencode: "registry.fly.io/growqr-runtime:opencode",
    gitea: "registry.fly.io/growqr-runtime:gitea",
  },
  volumeSizeGb: 1,
};

/** dev/fly with fast placeholder processes for both images (the real OpenCode has its own test). */
export async function startTestFly(
  images = { opencode: placeholderImage("opencode"), gitea: placeholderImage("gitea") },
) {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-fly-"));
  const logs: string[] = [];
  const fly = await startDevFly({
    token: TEST_TOKEN,
    apps: [TEST_APP],
    stateDir,
    images,
    log: (l) => logs.push(l),
  });
  return {
    fly,
    logs,
    async close() {
      await fly.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export class MapStorage implements StackStorage {
  readonly map = new Map<string, unknown>();
  async get<T>(key: string) {
    return structuredClone(this.map.get(key)) as T | undefined;
  }
  async put<T>(key: string, value: T) {
    this.map.set(key, structuredClone(value));
  }
  async deleteAll() {
    this.map.clear();
  }
}

/** The gateway's view of stack credentials (`user_stacks.gateway_key_hash` in production). */
export class GatewayKeys {
  /** Every hash registered, in order. */
  readonly registered: string[] = [];
  current: string | undefined;
  async register(keyHash: string) {
    this.registered.push(keyHash);
    this.current = keyHash;
  }
  async revoke() {
    this.current = undefined;
  }
}

export interface TestStack {
  controller: StackController;
  storage: MapStorage;
  gatewayKeys: GatewayKeys;
  mirrored: StackRecord[];
  events: StackEvent[];
  alarms: Array<number | undefined>;
}

const secretsKey = importSecretsKey(generateSecretsKey());
const silent = createLogger({ service: "test" }, () => {});

export async function stackFor(
  fly: DevFly,
  userId: string,
  options: { lifecycle?: Partial<LifecycleConfig>; healthTimeoutMs?: number; now?: () => number } = {},
): Promise<TestStack> {
  const storage = new MapStorage();
  const mirrored: StackRecord[] = [];
  const events: StackEvent[] = [];
  const alarms: Array<number | undefined> = [];
  const gatewayKeys = new GatewayKeys();
  const controller = new StackController({
    userId,
    storage,
    fly: createFlyClient({
      baseUrl: fly.apiUrl,
      token: TEST_TOKEN,
      retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 200 },
    }),
    runtime,
    lifecycle: { idleSuspendMs: 600_000, maxFailures: 3, retryCooldownMs: 60_000, ...options.lifecycle },
    edgeUrl: fly.edgeUrl,
    secretsKey: await secretsKey,
    gatewayKeys,
    mirror: async (record) => {
      mirrored.push(record);
    },
    setAlarm: async (at) => {
      alarms.push(at);
    },
    onEvent: (event) => events.push(event),
    healthTimeoutMs: options.healthTimeoutMs ?? 15_000,
    healthIntervalMs: 50,
    now: options.now,
    log: silent,
  });
  return { controller, storage, gatewayKeys, mirrored, events, alarms };
}

/** Fly API requests (method and path) made while `work` ran. */
export async function requestsDuring(fly: DevFly, work: () => Promise<unknown>) {
  const before = fly.requests.length;
  await work();
  return fly.requests.slice(before);
}
