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
  anthropicApiKey: "sk-ant-x",
};
const secrets = { opencodePassword: "pw", giteaAdminToken: "tok" };

describe("machine spec", () => {
  it("names resources within Fly's limits", () => {
    expect(volumeName("0123456789ab", "opencode")).toMatch(/^[a-z0-9_]{1,30}$/);
    expect(machineName("0123456789ab", "gitea")).toBe("gq-0123456789ab-gitea");
  });

  it("gives each role only its own secret, its volume, its owner's metadata and auto stop/start", () => {
    const opencode = machineRequest(runtime, "user-1", "p", "opencode", "vol_1", secrets);
    expect(opencode.config?.env).toMatchObject({
      OPENCODE_SERVER_PASSWORD: "pw",
      ANTHROPIC_API_KEY: "sk-ant-x",
    });
    expect(JSON.stringify(opencode)).not.toContain("tok");
    expect(opencode.config?.mounts).toEqual([{ volume: "vol_1", path: "/workspace" }]);
    expect(opencode.config?.metadata).toEqual({ growqr_user: "user-1", growqr_role: "opencode" });
    expect(opencode.config?.services?.[0]).toMatchObject({
      internal_port: 4096,
      autostop: true,
      autostart: true,
    });
    expect(opencode.config?.checks?.health?.type).toBe("tcp");

    const gitea = machineRequest(runtime, "user-1", "p", "gitea", "vol_2", secrets);
    expect(gitea.config?.env).toEqual({ GITEA_ADMIN_USER: "growqr-admin", GITEA_ADMIN_TOKEN: "tok" });
    expect(gitea.config?.checks?.health).toMatchObject({ type: "http", path: "/api/healthz" });
  });
});

describe("providerBaseUrl", () => {
  it("gives OpenCode the versioned API URL whatever form the root takes", () => {
    expect(providerBaseUrl("http://127.0.0.1:9000")).toBe("http://127.0.0.1:9000/v1");
    expect(providerBaseUrl("https://api.anthropic.com/")).toBe("https://api.anthropic.com/v1");
    expect(providerBaseUrl("https://gw.example/v1")).toBe("https://gw.example/v1");
  });
});
