import type { RequestVariables } from "../../platform/request-context";
import type { UserStack } from "./stack/user-stack.do";

/** Bindings of the provisioner Worker (provisioner/wrangler.toml, secrets; docs/configuration.md). */
export interface Env {
  DATABASE_URL: string;
  DB_WS_PROXY?: string;
  USER_STACK: DurableObjectNamespace<UserStack>;
  /** Machines API base URL: `https://api.machines.dev/v1`, or dev/fly locally. */
  FLY_API_URL?: string;
  /** Secret. A Fly token scoped to the runtime app (`fly tokens create deploy -a growqr-runtime`). */
  FLY_API_TOKEN: string;
  FLY_APP?: string;
  FLY_REGION?: string;
  /** Where the machines answer: `https://<app>.fly.dev` (Fly's proxy), or dev/fly's edge locally. */
  FLY_EDGE_URL?: string;
  FLY_OPENCODE_IMAGE?: string;
  FLY_GITEA_IMAGE?: string;
  FLY_VOLUME_SIZE_GB?: string;
  /** Secret. 32 bytes, base64: AES-GCM key for the per-user stack secrets. */
  STACK_SECRETS_KEY: string;
  STACK_IDLE_SUSPEND_SECONDS?: string;
  STACK_HEALTH_TIMEOUT_SECONDS?: string;
  /**
   * Public root URL of the main Worker's model gateway (`https://<api host>/api/model-gateway`), given to OpenCode
   * as its Anthropic base URL. The provisioner holds no model key: machines authenticate with their stack's
   * credential.
   */
  MODEL_GATEWAY_URL?: string;
}

export type ProvisionerEnv = { Bindings: Env; Variables: RequestVariables };
