import type { Env } from "../env";
import type { LifecycleConfig } from "./lifecycle";
import type { RuntimeConfig } from "./machine-spec";

const seconds = (value: string | undefined, fallback: number) => {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed * 1000 : fallback * 1000;
};

/** Everything the provisioner reads from its env, with the production defaults. */
export function stackSettings(env: Env) {
  const app = env.FLY_APP || "growqr-runtime";
  const runtime: RuntimeConfig = {
    app,
    region: env.FLY_REGION || "iad",
    images: {
      opencode: env.FLY_OPENCODE_IMAGE || `registry.fly.io/${app}:opencode`,
      gitea: env.FLY_GITEA_IMAGE || `registry.fly.io/${app}:gitea`,
    },
    volumeSizeGb: Number(env.FLY_VOLUME_SIZE_GB) || 1,
    modelGatewayUrl: env.MODEL_GATEWAY_URL || undefined,
  };
  const lifecycle: LifecycleConfig = {
    idleSuspendMs: seconds(env.STACK_IDLE_SUSPEND_SECONDS, 15 * 60),
    maxFailures: 3,
    retryCooldownMs: 60_000,
  };
  return {
    runtime,
    lifecycle,
    flyApiUrl: env.FLY_API_URL || "https://api.machines.dev/v1",
    edgeUrl: (env.FLY_EDGE_URL || `https://${app}.fly.dev`).replace(/\/$/, ""),
    healthTimeoutMs: seconds(env.STACK_HEALTH_TIMEOUT_SECONDS, 90),
  };
}
