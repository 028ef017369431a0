import { describe, expect, it } from "vitest";
import type { StackConnection } from "../../../provisioner/src/stack/stack-record";
import type { Database } from "../../../schema/db";
import { createGitManager, GitNotConfiguredError } from "./git-manager";
import { MemoryWakingError, type UserGiteaDeps, userGitea } from "./user-gitea";

const up: StackConnection = {
  status: "ready",
  up: ["gitea"],
  edgeUrl: "https://growqr-runtime.fly.dev",
  giteaMachineId: "148e21ea",
  giteaAdminPassword: "stack-secret",
};

function deps(connection: StackConnection) {
  const requests: Request[] = [];
  const woken: Array<Promise<unknown>> = [];
  const d: UserGiteaDeps = {
    connection: async () => connection,
    wake: async () => true,
    background: (work) => void woken.push(work),
    fetch: async (request) => {
      requests.push(request);
      return Response.json({ version: "1.22.0" });
    },
  };
  return { d, requests, woken };
}

describe("createGitManager", () => {
  it("names the missing setting, and never echoes the ones that are set", async () => {
    const { d } = deps(up);
    const error = await createGitManager({ ...d, env: {}, db: {} as Database, userId: "u1" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitNotConfiguredError);
    expect(String(error)).toContain("GITEA_TOKEN_KEY");
    expect(String(error)).not.toContain("stack-secret");
  });
});

describe("userGitea: the user's own Gitea machine", () => {
  it("pins every request to the user's machine through the edge, as its admin", async () => {
    const { d, requests } = deps(up);
    const client = await userGitea(d, { wake: false });
    expect(await client?.version()).toBe("1.22.0");
    const [request] = requests;
    expect(request?.url).toBe("https://growqr-runtime.fly.dev/api/v1/version");
    expect(request?.headers.get("fly-force-instance-id")).toBe("148e21ea");
    expect(request?.headers.get("authorization")).toBe(`Basic ${btoa("growqr-admin:stack-secret")}`);
  });

  it("while the machine sleeps: null without wake; with wake, starts it in the background and says so", async () => {
    for (const asleep of [
      { ...up, status: "suspended" as const, up: [] },
      { status: "none" as const, up: [], edgeUrl: up.edgeUrl },
    ]) {
      const { d, woken, requests } = deps(asleep);
      expect(await userGitea(d, { wake: false })).toBeNull();
      expect(woken).toHaveLength(0);
      await expect(userGitea(d, { wake: true })).rejects.toBeInstanceOf(MemoryWakingError);
      expect(woken).toHaveLength(1);
      expect(requests).toHaveLength(0);
    }
  });

  it("Gitea reported up without its credentials is an outage, not a wake (which would answer at once, in a loop)", async () => {
    const { d, woken } = deps({ ...up, giteaAdminPassword: undefined });
    await expect(userGitea(d, { wake: true })).rejects.not.toBeInstanceOf(MemoryWakingError);
    expect(woken).toHaveLength(0);
  });

  it("a stack with the sandbox up but not Gitea (never the case today) is asleep for memory", async () => {
    const { d } = deps({ ...up, up: ["opencode"] });
    expect(await userGitea(d, { wake: false })).toBeNull();
  });
});
