// Runs each runtime image's entrypoint with stub binaries on PATH (test/runtime/stubs.ts) and a temporary data
// directory, the image's ENV (from its Dockerfile) with the volume path moved there, and asserts what it writes
// and runs. No Docker engine here: this is how the entrypoints are exercised before a real build.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envOf, parseDockerfile } from "./dockerfile";
import {
  writeEnvironmentToIniStub,
  writeGiteaSetupStub,
  writeGiteaStub,
  writeOpencodeStub,
  writePrivilegeStubs,
} from "./stubs";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

interface Sandbox {
  dir: string;
  bin: string;
  state: string;
  log: string;
  volume: string;
}

function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "growqr-entrypoint-"));
  const sb = {
    dir,
    bin: join(dir, "bin"),
    state: join(dir, "state"),
    log: join(dir, "log"),
    volume: join(dir, "vol"),
  };
  for (const d of [sb.bin, sb.state, sb.volume]) mkdirSync(d, { recursive: true });
  writeFileSync(sb.log, "");
  return sb;
}

/** The image's ENV with its volume mount point (`/data`, `/workspace`) moved into the sandbox. */
function imageEnv(dockerfile: string, mount: string, volume: string): Record<string, string> {
  const env = envOf(parseDockerfile(readFileSync(join(repoRoot, dockerfile), "utf8")));
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v.startsWith(mount) ? volume + v.slice(mount.length) : v]),
  );
}

function run(script: string, sb: Sandbox, env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const result = spawnSync("/bin/sh", [join(repoRoot, script)], {
    cwd: sb.dir,
    encoding: "utf8",
    timeout: 20_000,
    env: { PATH: `${sb.bin}:/usr/bin:/bin`, HOME: sb.dir, STUB_LOG: sb.log, STUB_STATE: sb.state, ...clean },
  });
  const log = readFileSync(sb.log, "utf8").trim().split("\n").filter(Boolean);
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, log };
}

/** Parsed app.ini: a function from section name (top-level keys under "") to its keys; throws on a missing one. */
function readIni(path: string): (section: string) => Record<string, string> {
  const sections = new Map<string, Record<string, string>>([["", {}]]);
  let current: Record<string, string> = {};
  sections.set("", current);
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const header = /^\s*\[(.+)\]\s*$/.exec(line);
    const pair = /^\s*([^=;#]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (header?.[1]) {
      current = sections.get(header[1]) ?? {};
      sections.set(header[1], current);
    } else if (pair?.[1]) current[pair[1]] = pair[2] ?? "";
  }
  return (name) => {
    const section = sections.get(name);
    if (!section) throw new Error(`app.ini has no [${name}] section`);
    return section;
  };
}

const ADMIN = { GITEA_ADMIN_USER: "growqr-admin", GITEA_ADMIN_PASSWORD: "s3cret-admin-token-0123456789" };

describe("runtime/gitea/bootstrap.sh", () => {
  let sb: Sandbox;
  let env: Record<string, string | undefined>;
  let ini: string;
  beforeEach(() => {
    sb = sandbox();
    writePrivilegeStubs(sb.bin, "su-exec");
    writeEnvironmentToIniStub(sb.bin);
    writeGiteaStub(sb.bin);
    writeGiteaSetupStub(join(sb.dir, "docker-setup.sh"));
    const image = imageEnv("runtime/gitea/Dockerfile", "/data", sb.volume);
    ini = image.GITEA_APP_INI ?? "";
    env = {
      ...image,
      ...ADMIN,
      FLY_APP_NAME: "growqr-runtime",
      GITEA_TEMP: join(sb.dir, "tmp"),
      GROWQR_DATA_DIR: sb.volume,
      GROWQR_GITEA_SETUP: join(sb.dir, "docker-setup.sh"),
    };
  });
  afterEach(() => rmSync(sb.dir, { recursive: true, force: true }));

  it("keeps app.ini on the volume, outside GITEA_CUSTOM (which the image's setup makes read-only)", () => {
    expect(ini).toBe(join(sb.volume, "gitea/conf/app.ini"));
    expect(env.GITEA_CUSTOM).toBe(join(sb.volume, "gitea/custom"));
  });

  it("first boot: app.ini from the image's own setup, migrate, the admin created, then the server", () => {
    const boot = run("runtime/gitea/bootstrap.sh", sb, env);
    expect(boot.stderr).not.toMatch(/stub gitea/);
    expect(boot.status).toBe(0);

    const conf = readIni(ini);
    expect(conf("security").INSTALL_LOCK).toBe("true");
    expect(conf("security").SECRET_KEY).toMatch(/^stub-secret-key-\d+$/);
    expect(conf("database")).toMatchObject({
      DB_TYPE: "sqlite3",
      PATH: join(sb.volume, "gitea/data/gitea.db"),
    });
    expect(conf("server")).toMatchObject({
      ROOT_URL: "https://growqr-runtime.fly.dev/",
      DOMAIN: "growqr-runtime.fly.dev",
      HTTP_PORT: "3000",
      DISABLE_SSH: "true",
      START_SSH_SERVER: "false",
    });
    expect(conf("repository")).toMatchObject({
      ROOT: join(sb.volume, "git/repositories"),
      FORCE_PRIVATE: "true",
    });
    expect(conf("service")).toMatchObject({ DISABLE_REGISTRATION: "true", REQUIRE_SIGNIN_VIEW: "true" });
    expect(conf("service.explore")).toMatchObject({
      REQUIRE_SIGNIN_VIEW: "true",
      DISABLE_USERS_PAGE: "true",
    });
    expect(conf("openid")).toMatchObject({ ENABLE_OPENID_SIGNIN: "false", ENABLE_OPENID_SIGNUP: "false" });
    expect(existsSync(join(sb.volume, "git/repositories"))).toBe(true);

    const c = `[--config] [${ini}]`;
    expect(boot.log).toEqual([
      "gitea [generate] [secret] [SECRET_KEY]",
      "docker-setup.sh",
      `environment-to-ini [--config] [${ini}]`,
      `gitea ${c} [migrate]`,
      `gitea ${c} [admin] [user] [list]`,
      `gitea ${c} [admin] [user] [create] [--admin] [--username] [growqr-admin] [--password] [${ADMIN.GITEA_ADMIN_PASSWORD}] [--email] [growqr-admin@growqr.invalid] [--must-change-password=false]`,
      `gitea ${c} [web]`,
    ]);
    expect(readFileSync(join(sb.state, "users"), "utf8")).toBe("growqr-admin\n");
  });

  it("second boot: no second admin, no failure, the server starts", () => {
    expect(run("runtime/gitea/bootstrap.sh", sb, env).status).toBe(0);
    const secret = readIni(ini)("security").SECRET_KEY;
    writeFileSync(sb.log, "");
    const reboot = run("runtime/gitea/bootstrap.sh", sb, env);
    expect(reboot.status).toBe(0);
    expect(reboot.stderr).toContain("admin growqr-admin exists");
    expect(reboot.log.filter((line) => line.includes("[create]") || line.includes("[generate]"))).toEqual([]);
    expect(reboot.log).toContain(`gitea [--config] [${ini}] [migrate]`);
    expect(readIni(ini)("security").SECRET_KEY).toBe(secret);
    expect(reboot.log.at(-1)).toBe(`gitea [--config] [${ini}] [web]`);
    expect(readFileSync(join(sb.state, "users"), "utf8")).toBe("growqr-admin\n");
    expect(readIni(ini)("security").INSTALL_LOCK).toBe("true");
  });

  it("an admin named like a prefix of another user is still created (exact column match)", () => {
    writeFileSync(join(sb.state, "users"), "growqr-admin2\n");
    writeFileSync(join(sb.state, "migrated"), "");
    expect(run("runtime/gitea/bootstrap.sh", sb, env).status).toBe(0);
    expect(readFileSync(join(sb.state, "users"), "utf8")).toBe("growqr-admin2\ngrowqr-admin\n");
  });

  it("lockdown settings win over the env; ROOT_URL from the env is kept", () => {
    const boot = run("runtime/gitea/bootstrap.sh", sb, {
      ...env,
      GITEA__security__INSTALL_LOCK: "false",
      GITEA__service__DISABLE_REGISTRATION: "false",
      GITEA__service__REQUIRE_SIGNIN_VIEW: "false",
      GITEA__server__ROOT_URL: "https://git.example.test:8443/u/",
    });
    expect(boot.status).toBe(0);
    const conf = readIni(ini);
    expect(conf("security").INSTALL_LOCK).toBe("true");
    expect(conf("service")).toMatchObject({ DISABLE_REGISTRATION: "true", REQUIRE_SIGNIN_VIEW: "true" });
    expect(conf("server")).toMatchObject({
      ROOT_URL: "https://git.example.test:8443/u/",
      DOMAIN: "git.example.test",
    });
  });

  it("started as root (a fresh Fly volume): hands the volume to git, then runs as git", () => {
    const boot = run("runtime/gitea/bootstrap.sh", sb, { ...env, STUB_UID: "0" });
    expect(boot.status).toBe(0);
    expect(boot.log.slice(0, 2)).toEqual([
      `chown [-R] [git:git] [${sb.volume}]`,
      `su-exec [git] [${join(repoRoot, "runtime/gitea/bootstrap.sh")}]`,
    ]);
    expect(boot.log.at(-1)).toBe(`gitea [--config] [${ini}] [web]`);
  });

  it("without the image's docker-setup.sh, environment-to-ini writes app.ini directly", () => {
    const boot = run("runtime/gitea/bootstrap.sh", sb, {
      ...env,
      GROWQR_GITEA_SETUP: join(sb.dir, "absent.sh"),
    });
    expect(boot.status).toBe(0);
    expect(boot.log[1]).toBe(`environment-to-ini [--config] [${ini}]`);
    expect(readIni(ini)("security").INSTALL_LOCK).toBe("true");
  });

  it("refuses to start when no app.ini with the install lock was written", () => {
    writeFileSync(join(sb.dir, "noop.sh"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const boot = run("runtime/gitea/bootstrap.sh", sb, {
      ...env,
      GROWQR_GITEA_SETUP: join(sb.dir, "noop.sh"),
    });
    expect(boot.status).not.toBe(0);
    expect(boot.stderr).toContain("INSTALL_LOCK");
    expect(boot.log.filter((line) => line.startsWith("gitea [--config]"))).toEqual([]);
  });

  it("fails without the admin secret, before running gitea", () => {
    const boot = run("runtime/gitea/bootstrap.sh", sb, { ...env, GITEA_ADMIN_PASSWORD: undefined });
    expect(boot.status).not.toBe(0);
    expect(boot.stderr).toContain("GITEA_ADMIN_PASSWORD");
    expect(boot.log).toEqual([]);
  });
});

describe("runtime/opencode/entrypoint.sh", () => {
  let sb: Sandbox;
  let env: Record<string, string | undefined>;
  const KEY = "gqsk_stack_secret_key_value";
  const BASE = "https://api.example.test/api/model-gateway/v1";
  beforeEach(() => {
    sb = sandbox();
    writePrivilegeStubs(sb.bin, "gosu");
    writeOpencodeStub(sb.bin);
    env = {
      ...imageEnv("runtime/opencode/Dockerfile", "/workspace", sb.volume),
      GROWQR_WORKSPACE: sb.volume,
      OPENCODE_SERVER_PASSWORD: "pw-of-this-user",
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: BASE,
    };
  });
  afterEach(() => rmSync(sb.dir, { recursive: true, force: true }));

  const config = () => readFileSync(join(sb.volume, "opencode.json"), "utf8");
  const opencodeEnv = () => readFileSync(join(sb.state, "opencode.env"), "utf8").split("\n");

  it("writes the config with the provider's URL and key referenced from the env, then serves", () => {
    const boot = run("runtime/opencode/entrypoint.sh", sb, env);
    expect(boot.stderr).toBe("");
    expect(boot.status).toBe(0);

    const text = config();
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(BASE);
    const json = JSON.parse(text);
    expect(json.provider.anthropic.options).toEqual({
      baseURL: "{env:ANTHROPIC_BASE_URL}",
      apiKey: "{env:ANTHROPIC_API_KEY}",
    });
    expect(json).toMatchObject({ model: "anthropic/claude-sonnet-4-5", enabled_providers: ["anthropic"] });
    // Absolute: each task's session runs in a directory of its own under the workspace.
    expect(json.skills).toEqual({ paths: [join(sb.volume, "memory/skills")] });

    expect(boot.log).toEqual(["opencode [serve] [--port] [4096] [--hostname] [0.0.0.0]"]);
    expect(boot.log.join("\n")).not.toContain("pw-of-this-user");
    expect(opencodeEnv()).toEqual(
      expect.arrayContaining([
        "OPENCODE_SERVER_PASSWORD=pw-of-this-user",
        `ANTHROPIC_API_KEY=${KEY}`,
        `HOME=${join(sb.volume, ".home")}`,
        "OPENCODE_DISABLE_MODELS_FETCH=1",
      ]),
    );
    expect(readFileSync(join(sb.state, "opencode.cwd"), "utf8").trim()).toBe(sb.volume);
    expect(existsSync(join(sb.volume, ".home"))).toBe(true);
  });

  it("without a base URL the provider has only the key reference", () => {
    expect(run("runtime/opencode/entrypoint.sh", sb, { ...env, ANTHROPIC_BASE_URL: undefined }).status).toBe(
      0,
    );
    expect(JSON.parse(config()).provider.anthropic.options).toEqual({ apiKey: "{env:ANTHROPIC_API_KEY}" });
  });

  it("leaves an existing opencode.json alone (the user's edits survive a reboot)", () => {
    writeFileSync(join(sb.volume, "opencode.json"), '{"model":"mine"}\n');
    expect(run("runtime/opencode/entrypoint.sh", sb, env).status).toBe(0);
    expect(config()).toBe('{"model":"mine"}\n');
  });

  it("started as root (a fresh Fly volume): hands the workspace to agent, then runs as agent", () => {
    const boot = run("runtime/opencode/entrypoint.sh", sb, { ...env, STUB_UID: "0" });
    expect(boot.status).toBe(0);
    expect(boot.log).toEqual([
      `chown [-R] [agent:agent] [${sb.volume}]`,
      `gosu [agent] [${join(repoRoot, "runtime/opencode/entrypoint.sh")}]`,
      "opencode [serve] [--port] [4096] [--hostname] [0.0.0.0]",
    ]);
  });

  it("never starts open: no password, no server", () => {
    const boot = run("runtime/opencode/entrypoint.sh", sb, { ...env, OPENCODE_SERVER_PASSWORD: undefined });
    expect(boot.status).not.toBe(0);
    expect(boot.stderr).toContain("OPENCODE_SERVER_PASSWORD");
    expect(boot.log).toEqual([]);
  });

  it("refuses a model id that would break the JSON", () => {
    const boot = run("runtime/opencode/entrypoint.sh", sb, { ...env, OPENCODE_MODEL: 'x", "apiKey": "leak' });
    expect(boot.status).not.toBe(0);
    expect(existsSync(join(sb.volume, "opencode.json"))).toBe(false);
    expect(boot.log).toEqual([]);
  });
});
