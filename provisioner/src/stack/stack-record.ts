/** The state one UserStack Durable Object keeps about its user's machines. */

export const STACK_STATUSES = [
  "none",
  "creating",
  "starting",
  "ready",
  "suspending",
  "suspended",
  "failed",
] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];

export const STACK_ROLES = ["opencode", "gitea"] as const;
/** The admin of each user's Gitea machine, made at its first boot; its password is the stack's secret. */
export const GITEA_ADMIN_USER = "growqr-admin";
export type StackRole = (typeof STACK_ROLES)[number];

export interface RoleResources {
  volumeId?: string;
  machineId?: string;
}

export interface StackRecord {
  userId: string;
  status: StackStatus;
  app: string;
  region: string;
  resources: Partial<Record<StackRole, RoleResources>>;
  /**
   * AES-GCM ciphertexts (secrets.ts); never returned by a view, never logged. `gatewayKey` is the stack's
   * model-gateway credential (gateway-key.ts), absent in records from before the gateway.
   */
  secrets?: {
    opencodePassword: string;
    giteaAdminPassword?: string;
    /** The same secret under its name before 2026-12-05: existing Gitea machines made their admin with it. */
    giteaAdminToken?: string;
    gatewayKey?: string;
  };
  /**
   * The roles whose machines this `ready` brought up and found healthy: a memory-only wake starts the Gitea machine
   * alone. Absent in records from before roles: a ready stack then has every role up.
   */
  up?: StackRole[];
  lastError?: string;
  /** Failed attempts since the last success; reset when the stack becomes ready. */
  failures: number;
  failedAt?: number;
  lastActiveAt: number;
  updatedAt: number;
}

export const emptyRecord = (userId: string, app: string, region: string, now: number): StackRecord => ({
  userId,
  status: "none",
  app,
  region,
  resources: {},
  failures: 0,
  lastActiveAt: now,
  updatedAt: now,
});

export const STACK_EVENT_TYPES = [
  "stack.creating",
  "stack.starting",
  "stack.health_ok",
  "stack.ready",
  "stack.suspending",
  "stack.suspended",
  "stack.failed",
  "stack.destroyed",
] as const;

/** Progress the Grow Agent and the UI show; `seq` is gapless per stack so readers resume with `after`. */
export interface StackEvent {
  seq: number;
  type: (typeof STACK_EVENT_TYPES)[number];
  at: string;
  data: Record<string, string | number | boolean>;
}

/**
 * `ensureStack` options: `startAllowed: false` answers a stack that is not ready as it is, starting nothing;
 * `roles` (default: all) are the machines the caller needs (memory needs only Gitea).
 */
export interface EnsureOptions {
  startAllowed?: boolean;
  roles?: readonly StackRole[];
}

/** What callers see: never secrets. */

export interface StackView {
  status: StackStatus;
  app: string;
  region: string;
  machines: Partial<Record<StackRole, { machineId?: string; volumeId?: string }>>;
  /** The roles that are up: all of them in a full `ready`, only `gitea` after a memory-only wake, none otherwise. */
  up: StackRole[];
  /** Base URL of the user's machines (Fly's edge; pick the machine with `fly-force-instance-id`). */
  edgeUrl: string;
  lastError: string | null;
  lastActiveAt: string;
  updatedAt: string;
  events: StackEvent[];
  lastSeq: number;
}

/** Internal only (service binding): how a sub-agent reaches the user's OpenCode server. Never sent to a browser. */
export interface StackConnection {
  status: StackStatus;
  up: StackRole[];
  edgeUrl: string;
  opencodeMachineId?: string;
  giteaMachineId?: string;
  opencodePassword?: string;
  giteaAdminPassword?: string;
}
