import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** What dev/fly runs for one machine: a real local process standing in for the image. */
export interface LocalCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface ImageContext {
  /** Loopback port the process must listen on (the machine's service port). */
  port: number;
  /** Environment from the machine config (secrets included); passed through to the process. */
  env: Record<string, string>;
  /** Machine mount path → local directory standing in for the volume. */
  mounts: Record<string, string>;
  /** Scratch directory of this machine (HOME, caches). */
  machineDir: string;
}

export type ImageRunner = (context: ImageContext) => Promise<LocalCommand>;

/** A tiny HTTP server answering health; `neverHealthy` answers 503 forever. */
export const placeholderImage =
  (name: string, options: { neverHealthy?: boolean } = {}): ImageRunner =>
  async ({ port }) => ({
    command: process.execPath,
    args: [
      path.join(repoRoot, "dev/fly/placeholder-server.mjs"),
      ...(options.neverHealthy ? ["--never-healthy"] : []),
    ],
    env: { PORT: String(port), PLACEHOLDER_NAME: name },
  });

/**
 * The real OpenCode server from the `opencode-ai` package, as runtime/opencode runs it: the workspace volume as
 * working directory, the server password from the machine env, the Anthropic provider from `opencode.json`.
 */
export const opencodeImage: ImageRunner = async ({ port, env, mounts, machineDir }) => {
  const workspace = mounts["/workspace"] ?? path.join(machineDir, "workspace");
  const home = path.join(machineDir, "home");
  await mkdir(workspace, { recursive: true });
  await mkdir(home, { recursive: true });
  const config = path.join(workspace, "opencode.json");
  if (!existsSync(config)) await writeFile(config, JSON.stringify(opencodeConfig(env, workspace), null, 2));
  return {
    command: path.join(repoRoot, "node_modules/.bin/opencode"),
    args: ["serve", "--port", String(port), "--hostname", "127.0.0.1"],
    cwd: workspace,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      XDG_DATA_HOME: path.join(home, ".local/share"),
      XDG_CACHE_HOME: path.join(home, ".cache"),
      XDG_STATE_HOME: path.join(home, ".local/state"),
      OPENCODE_DISABLE_MODELS_FETCH: "1",
    },
  };
};

/**
 * Same shape as runtime/opencode/entrypoint.sh writes: Anthropic only, through the model gateway (base URL from
 * the env), the key read from the env at run time, so the file on the user's volume holds no credential; skills
 * from the clone of the user's memory repository in the workspace (absolute: each task runs in a directory of its
 * own, which a relative path would resolve against).
 */
export function opencodeConfig(env: Record<string, string>, workspace: string) {
  const model = env.OPENCODE_MODEL ?? "anthropic/claude-sonnet-4-5";
  return {
    $schema: "https://opencode.ai/config.json",
    enabled_providers: ["anthropic"],
    model,
    small_model: model,
    provider: {
      anthropic: {
        options: {
          ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
          apiKey: "{env:ANTHROPIC_API_KEY}",
        },
      },
    },
    permission: { edit: "allow", bash: "allow" },
    skills: { paths: [path.join(workspace, "memory", "skills")] },
  };
}

/**
 * tsx's ESM loader, preloaded with `--import`: Node runs dev/gitea's TypeScript in the machine's own process,
 * without tsx's CLI, which would start a second Node process (about 90 ms more per boot, measured).
 */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;

/**
 * dev/gitea as one user's Gitea machine (`dev/gitea/main.ts --machine`, see dev/gitea/machine.ts): its data on
 * the `/data` volume, so it survives stop, start and suspend and goes with the volume; the admin made at first
 * boot from `GITEA_ADMIN_USER` and `GITEA_ADMIN_PASSWORD` of the machine env, as runtime/gitea/bootstrap.sh does.
 */
export const giteaImage: ImageRunner = async ({ mounts, machineDir }) => {
  // Without a volume, the machine's scratch directory, standing in for its root filesystem.
  const data = mounts["/data"] ?? path.join(machineDir, "data");
  await mkdir(data, { recursive: true });
  return {
    command: process.execPath,
    args: ["--import", tsxLoader, path.join(repoRoot, "dev/gitea/main.ts"), "--machine"],
    env: { GROWQR_DATA_DIR: data },
  };
};

/**
 * Image name → runner. Matching is on the tag after the last ':' (`registry.fly.io/growqr-runtime:opencode`),
 * so production image names work unchanged locally.
 */
export function defaultImages(): Record<string, ImageRunner> {
  return { opencode: opencodeImage, gitea: giteaImage };
}

export const imageTag = (image: string | undefined) => (image ?? "").split(/[:/]/).at(-1) ?? "";
