import { intSetting, urlSetting } from "../../../platform/config";
import type { Env } from "../env";
import type { LifecycleConfig } from "./lifecycle";
import type { RuntimeConfig } from "./machine-spec";

/**
 * Everything the provisioner reads from its env, with the production defaults. Throws a ConfigError naming the
 * variable when one is set but invalid (platform/config.ts).
 */
export function stackSettings(env: Env) {
  const vars = env as unknown as Readonly<Record<string, unknown>>;
  const app = env.FLY_APP || "growqr-runtime";
  const runtime: RuntimeConfig = {
    app,
    region: env.FLY_REGION || "iad",
    images: {
      opencode: env.FLY_OPENCODE_IMAGE || `registry.fly.io/${app}:opencode`,
      gitea: env.FLY_GITEA_IMAGE || `registry.fly.io/${app}:gitea`,
    },
    volumeSizeGb: intSetting(vars, "FLY_VOLUME_SIZE_GB", 1, 1, 500),
    modelGatewayUrl: env.MODEL_GATEWAY_URL ? urlSetting(vars, "MODEL_GATEWAY_URL", "") : undefined,
  };
  const lifecycle: LifecycleConfig = {
    idleSuspendMs: intSetting(vars, "STACK_IDLE_SUSPEND_SECONDS", 15 * 60, 1, 7 * 24 * 3600) * 1000,
    maxFailures: 3,
    retryCooldownMs: 60_000,
  };
  return {
    runtime,
    lifecycle,
    flyApiUrl: urlSetting(vars, "FLY_API_URL", "https://api.machines.dev/v1"),
    edgeUrl: urlSetting(vars, "FLY_EDGE_URL", `https://${app}.fly.dev`),
    healthTimeoutMs: intSetting(vars, "STACK_HEALTH_TIMEOUT_SECONDS", 90, 1, 3600) * 1000,
  };
}
