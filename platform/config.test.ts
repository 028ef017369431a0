import { describe, expect, it } from "vitest";
import { ConfigError, intSetting, urlSetting } from "./config";

describe("settings", () => {
  it("uses the default when a variable is unset or empty", () => {
    expect(intSetting({}, "AGENT_MAX_STEPS", 8, 1, 50)).toBe(8);
    expect(intSetting({ AGENT_MAX_STEPS: "  " }, "AGENT_MAX_STEPS", 8, 1, 50)).toBe(8);
    expect(urlSetting({}, "FLY_API_URL", "https://api.machines.dev/v1")).toBe("https://api.machines.dev/v1");
  });

  it("reads a valid value", () => {
    expect(intSetting({ AGENT_MAX_STEPS: "12" }, "AGENT_MAX_STEPS", 8, 1, 50)).toBe(12);
    expect(urlSetting({ FLY_EDGE_URL: "https://x.fly.dev/" }, "FLY_EDGE_URL", "https://y")).toBe(
      "https://x.fly.dev",
    );
  });

  it("fails naming the variable when a value is set but wrong, instead of taking the default", () => {
    for (const bad of ["abc", "1.5", "0", "51", "8 steps"]) {
      expect(() => intSetting({ AGENT_MAX_STEPS: bad }, "AGENT_MAX_STEPS", 8, 1, 50)).toThrow(ConfigError);
      expect(() => intSetting({ AGENT_MAX_STEPS: bad }, "AGENT_MAX_STEPS", 8, 1, 50)).toThrow(
        /^AGENT_MAX_STEPS /,
      );
    }
    expect(() => urlSetting({ FLY_API_URL: "api.machines.dev" }, "FLY_API_URL", "https://x")).toThrow(
      /^FLY_API_URL /,
    );
    expect(() => urlSetting({ FLY_API_URL: "ftp://x" }, "FLY_API_URL", "https://x")).toThrow(ConfigError);
  });
});
