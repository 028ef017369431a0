import type { CreateMachineRequest, CreateVolumeRequest } from "../fly/fly-client";
import type { StackRole } from "./stack-record";

/** Per-deployment settings of the runtime machines (env vars of the provisioner; see docs/provisioner.md). */
export interface RuntimeConfig {
  app: string;
  region: string;
  images: Record<StackRole, string>;
  volumeSizeGb: number;
  /**
   * Public root URL of the model gateway (`https://api.example/api/model-gateway`): OpenCode's Anthropic
   * provider calls it with the stack's credential. Machines never get an Anthropic key.
   */
  modelGatewayUrl?: string;
}

export const ROLE_PORTS: Record<StackRole, number> = { opencode: 4096, gitea: 3000 };
export const ROLE_MOUNTS: Record<StackRole, string> = { opencode: "/workspace", gitea: "/data" };
/** Paths the provisioner probes through the edge before it calls a stack ready. */
export const ROLE_HEALTH_PATHS: Record<StackRole, string> = {
  opencode: "/global/health",
  gitea: "/api/healthz",
};

// The spec types Go's time.Duration as an object; the live API takes (and flyctl sends) strings like "15s".
type FlyDuration = NonNullable<NonNullable<CreateMachineRequest["config"]>["stop_config"]>["timeout"];
const duration = (value: string) => value as unknown as FlyDuration;
// The spec types `autostop` as a boolean, but Fly reads `true` as "stop" (every idle wake a cold boot) and also
// takes "off" | "stop" | "suspend", which is what flyctl sends for `auto_stop_machines = "suspend"` (fly.toml).
type FlyAutostop = NonNullable<NonNullable<CreateMachineRequest["config"]>["services"]>[number]["autostop"];
const autostop = (value: "off" | "stop" | "suspend") => value as unknown as FlyAutostop;

export const machineName = (prefix: string, role: StackRole) => `gq-${prefix}-${role}`;
/** Fly volume names: lowercase letters, digits and underscores, at most 30 characters. */
export const volumeName = (prefix: string, role: StackRole) =>
  `gq_${prefix}_${role === "opencode" ? "ws" : "git"}`;

export function volumeRequest(config: RuntimeConfig, prefix: string, role: StackRole): CreateVolumeRequest {
  return {
    name: volumeName(prefix, role),
    region: config.region,
    size_gb: config.volumeSizeGb,
    encrypted: true,
  };
}

export interface RoleSecrets {
  opencodePassword: string;
  giteaAdminPassword: string;
  /** The stack's model-gateway credential (gateway-key.ts): what OpenCode sends as its Anthropic key. */
  gatewayKey: string;
}

/**
 * The machine for one role of one user. Secrets go in as env (Fly stores machine config encrypted); the
 * metadata names the owner so a stray machine can always be traced back. Whatever runs in the machine can read
 * its env, so it holds only what is the user's own: their OpenCode's password, their stack's gateway credential
 * (usable only at our gateway, metered against their plan), their Gitea's admin password; never a platform
 * secret. Fly's proxy suspends the machine when idle and resumes it on a request; the provisioner's own idle alarm
 * does the same for stacks nobody calls.
 */
export function machineRequest(
  config: RuntimeConfig,
  userId: string,
  prefix: string,
  role: StackRole,
  volumeId: string,
  secrets: RoleSecrets,
): CreateMachineRequest {
  const port = ROLE_PORTS[role];
  const env: Record<string, string> =
    role === "opencode"
      ? {
          OPENCODE_SERVER_PASSWORD: secrets.opencodePassword,
          OPENCODE_DISABLE_MODELS_FETCH: "1",
          // OpenCode's Anthropic provider reads these; both point at our gateway, not at Anthropic.
          ...(config.modelGatewayUrl ? { ANTHROPIC_BASE_URL: providerBaseUrl(config.modelGatewayUrl) } : {}),
          ANTHROPIC_API_KEY: secrets.gatewayKey,
        }
      : { GITEA_ADMIN_USER: "growqr-admin", GITEA_ADMIN_PASSWORD: secrets.giteaAdminPassword };
  return {
    name: machineName(prefix, role),
    region: config.region,
    config: {
      image: config.images[role],
      env,
      guest: { cpu_kind: "shared", cpus: 1, memory_mb: role === "opencode" ? 1024 : 512 },
      mounts: [{ volume: volumeId, path: ROLE_MOUNTS[role] }],
      metadata: { growqr_user: userId, growqr_role: role },
      restart: { policy: "on-failure", max_retries: 3 },
      services: [
        {
          protocol: "tcp",
          internal_port: port,
          // Suspend (a memory snapshot, resumed in hundreds of ms) rather than stop; started again on a request.
          autostop: autostop("suspend"),
          autostart: true,
          ports: [{ port: 443, handlers: ["tls", "http"] }],
        },
      ],
      // OpenCode answers nothing without its password, so Fly only checks that it listens; the provisioner
      // probes /global/health with the password before calling the stack ready.
      checks: {
        health:
          role === "opencode"
            ? { type: "tcp", port, interval: duration("15s"), timeout: duration("5s") }
            : {
                type: "http",
                port,
                path: ROLE_HEALTH_PATHS[role],
                interval: duration("15s"),
                timeout: duration("5s"),
              },
      },
    },
  };
}

/**
 * The gateway's URL is an API root like the Workers' ANTHROPIC_BASE_URL (clients add /v1); OpenCode's Anthropic
 * provider wants the versioned URL. Adapted here.
 */
export function providerBaseUrl(root: string): string {
  const trimmed = root.replace(/\/+$/, "");
  return trimmed.endsWith("/v1") ? trimmed : `${trimmed}/v1`;
}
