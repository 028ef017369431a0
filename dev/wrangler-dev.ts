import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports";
import { type ManagedProcess, startProcess, waitForHttp } from "./processes";
import type { StackOptions } from "./stack";

/** Both Workers in one `wrangler dev` (so the service binding connects): its config, env file and process. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// No ANTHROPIC_*: the provisioner holds no model key (machines get their stack's gateway credential).
const PROVISIONER_VARS = /^(DATABASE_URL|DB_WS_PROXY|FLY_[A-Z_]+|STACK_[A-Z_]+|MODEL_GATEWAY_URL)$/;

/**
 * `wrangler dev` applies `--env-file` to the first config only, so the provisioner gets its local settings as
 * vars of a generated copy of provisioner/wrangler.toml (in the state dir, never committed).
 */
async function provisionerConfig(stateDir: string, vars: Record<string, string>): Promise<string> {
  const source = await readFile(path.join(repoRoot, "provisioner/wrangler.toml"), "utf8");
  const own = Object.entries(vars).filter(([name]) => PROVISIONER_VARS.test(name));
  const names = new Set(own.map(([name]) => name));
  const lines = source
    .split("\n")
    .filter((line) => !names.has(line.split("=")[0]?.trim() ?? ""))
    .map((line) =>
      line.startsWith("main = ")
        ? `main = ${JSON.stringify(path.join(repoRoot, "provisioner/src/index.ts"))}`
        : line,
    );
  const at = lines.indexOf("[vars]") + 1;
  if (at === 0) throw new Error("provisioner/wrangler.toml has no [vars] table");
  lines.splice(at, 0, ...own.map(([name, value]) => `${name} = ${JSON.stringify(value)}`));
  const file = path.join(stateDir, "provisioner.wrangler.toml");
  await writeFile(file, lines.join("\n"), { mode: 0o600 });
  return file;
}

/** Values for wrangler's env file: double-quoted, newlines escaped (PEM keys are multi-line). */
const envFileLine = (name: string, value: string) => `${name}="${value.replaceAll("\n", "\\n")}"`;

export async function startWorkers(
  options: StackOptions,
  vars: Record<string, string>,
  onLine: (line: string) => void,
) {
  const apiPort = options.apiPort ?? (await freePort());
  const inspectorPort = await freePort();
  const envFile = path.join(options.stateDir, "workers.env");
  const lines = Object.entries(vars).map(([name, value]) => envFileLine(name, value));
  await writeFile(envFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  // The developer's own secrets (.dev.vars) first; the generated connection settings win over them.
  const userVars = path.join(repoRoot, ".dev.vars");
  const envFiles = existsSync(userVars) ? [userVars, envFile] : [envFile];
  const watchedConfig = await provisionerConfig(options.stateDir, vars);

  const process_ = startProcess(
    "workers",
    process.execPath,
    [
      path.join(repoRoot, "node_modules", "wrangler", "bin/wrangler.js"),
      "dev",
      "-c",
      path.join(repoRoot, "wrangler.toml"),
      "-c",
      watchedConfig,
      ...envFiles.flatMap((file) => ["--env-file", file]),
      "--ip",
      "127.0.0.1",
      "--port",
      String(apiPort),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      path.join(options.stateDir, "wrangler"),
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: repoRoot,
      env: { WRANGLER_SEND_METRICS: "false", CI: "true" },
      log: (line) => {
        options.log("workers", line);
        onLine(line);
      },
    },
  );
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  try {
    await Promise.race([
      waitForHttp(`${apiUrl}/api/version`, { timeoutMs: 90_000 }),
      process_.exited.then((code) => {
        throw new Error(`wrangler dev exited early with code ${code}`);
      }),
    ]);
  } catch (error) {
    await process_.stop();
    throw error;
  }
  return {
    apiUrl,
    inspectorUrl: `http://127.0.0.1:${inspectorPort}`,
    process: process_ as ManagedProcess,
    /** A file this `wrangler dev` watches and no one edits: what `reloadWorkers` writes back. */
    watchedConfig,
  };
}
