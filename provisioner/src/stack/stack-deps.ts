import type { Logger } from "../../../platform/logger";
import type { FlyClient } from "../fly/fly-client";
import type { GatewayKeyStore } from "./gateway-key-store";
import type { LifecycleConfig } from "./lifecycle";
import type { RuntimeConfig } from "./machine-spec";
import type { StackEvent, StackRecord } from "./stack-record";

/** Async key-value storage: Durable Object storage in production, a Map in unit tests. */
export interface StackStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  deleteAll(): Promise<void>;
}

/** What a StackController is wired to (user-stack.do.ts in production, test/provisioner/harness.ts in tests). */
export interface StackDeps {
  userId: string;
  storage: StackStorage;
  fly: FlyClient;
  runtime: RuntimeConfig;
  lifecycle: LifecycleConfig;
  edgeUrl: string;
  secretsKey: CryptoKey;
  /** Hashes of the stack's model-gateway credential, where the gateway finds them; failures are fatal. */
  gatewayKeys: GatewayKeyStore;
  /** Mirrors the record into Postgres `user_stacks`; failures are logged, never fatal. */
  mirror(record: StackRecord): Promise<void>;
  setAlarm(at: number | undefined): Promise<void>;
  /** Called with each progress event as it happens (logs; later a broadcast to the Grow Agent). */
  onEvent?(event: StackEvent): void;
  healthTimeoutMs: number;
  healthIntervalMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  log: Logger;
}
