import { describe, expect, it } from "vitest";
import { machineName, machineRequest, providerBaseUrl, type RuntimeConfig, volumeName } from "./machine-spec";

const runtime: RuntimeConfig = {
  app: "growqr-runtime",
  region: "iad",
  images: {
    opencode: "registry.fly.io/growqr-runtime:opencode",
    gitea: "registry.fly.io/growqr-runtime:gitea",
  },
  volumeSizeGb: 1,
  modelGatewayUrl: "https://api.growqr.test/api/model-gateway",
};
const secrets = { opencodePassword: "pw", giteaAdminPassword: "tok", gatewayKey: "gqsk_stack" };

describe("machine spec", () => {
  it("names resources within Fly's limits", () => {
    expect(volumeName("0123456789ab", "opencode")).toMatch(/^[a-z0-9_]{1,30}$/);
    expect(machineName("0123456789ab", "gitea")).toBe("gq-0123456789ab-gitea");
  });

  it("gives each role only its own secret, its volume, its owner's metadata and auto stop/start", () => {
    const opencode = machineRequest(runtime, "user-1", "p", "opencode", "vol_1", secrets);
    // Exactly these: whatever runs in the machine can read its env, so nothing here may be a platform secret.
    expect(opencode.config?.env).toEqual({
      OPENCODE_SERVER_PASSWORD: "pw",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      ANTHROPIC_BASE_URL: "https://api.growqr.test/api/model-gateway/v1",
      ANTHROPIC_API_KEY: "gqsk_stack",
    });
    expect(JSON.stringify(opencode)).not.toContain("tok");
    expect(opencode.config?.mounts).toEqual([{ volume: "vol_1", path: "/workspace" }]);
    expect(opencode.config?.metadata).toEqual({ growqr_user: "user-1", growqr_role: "opencode" });
    // Suspend, not stop: Fly reads `autostop: true` as "stop", and every idle wake would be a cold boot.
    expect(opencode.config?.services?.[0]).toMatchObject({
      internal_port: 4096,
      autostop: "suspend",
      autostart: true,
    });
    expect(opencode.config?.checks?.health?.type).toBe("tcp");

    const gitea = machineRequest(runtime, "user-1", "p", "gitea", "vol_2", secrets);
    expect(gitea.config?.env).toEqual({ GITEA_ADMIN_USER: "growqr-admin", GITEA_ADMIN_PASSWORD: "tok" });
    expect(JSON.stringify(gitea)).not.toContain("gqsk_stack");
    expect(gitea.config?.checks?.health).toMatchObject({ type: "http", path: "/api/healthz" });
    expect(gitea.config?.services?.[0]).toMatchObject({
      internal_port: 3000,
      autostop: "suspend",
      autostart: true,
    });
  });

  it("without a gateway URL gives OpenCode no base URL at all (never Anthropic's with a platform key)", () => {
    const env = machineRequest({ ...runtime, modelGatewayUrl: undefined }, "u", "p", "opencode", "v", secrets)
      .config?.env;
    expect(env?.ANTHROPIC_BASE_URL).toBeUndefined();
    expect(env?.ANTHROPIC_API_KEY).toBe("gqsk_stack");
  });
});

describe("providerBaseUrl", () => {
  it("gives OpenCode the versioned API URL whatever form the root takes", () => {
    expect(providerBaseUrl("http://127.0.0.1:9000")).toBe("http://127.0.0.1:9000/v1");
    expect(providerBaseUrl("https://api.anthropic.com/")).toBe("https://api.anthropic.com/v1");
    expect(providerBaseUrl("https://gw.example/v1")).toBe("https://gw.example/v1");
  });
});
