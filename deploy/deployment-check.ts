/**
 * Reads a production configuration (both wrangler configs, the secrets manifests, the SPA's build env, the
 * runtime images' build context) and returns every problem found by the rules in config-rules.ts, plus the two
 * that need a process: each Worker builds (`wrangler deploy --dry-run`) and each image's COPY sources resolve.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadEnv } from "vite";
import { unstable_readConfig } from "wrangler";
import { ROLE_PORTS } from "../provisioner/src/stack/machine-spec";
import { buildContextProblems, filesUnder } from "../test/runtime/dockerfile";
import {
  coverageProblems,
  deployedSecretProblems,
  type Problem,
  parseSecretsManifest,
  varProblems,
  type WorkerName,
  webEnvProblems,
} from "./config-rules";
import { stringSettingsOf } from "./env-keys";
import { dryRunBuild } from "./worker-build";

const WORKERS = [
  {
    worker: "growqr",
    config: "wrangler.toml",
    manifest: "deploy/growqr.secrets",
    envFile: "worker/src/env.ts",
  },
  {
    worker: "growqr-provisioner",
    config: "provisioner/wrangler.toml",
    manifest: "deploy/growqr-provisioner.secrets",
    envFile: "provisioner/src/env.ts",
  },
] as const satisfies ReadonlyArray<{ worker: WorkerName; config: string; manifest: string; envFile: string }>;

export interface CheckOptions {
  /** Where the configuration is: wrangler.toml, provisioner/wrangler.toml, deploy/*.secrets, runtime/. */
  root: string;
  /** The code the configuration is for (Env interfaces, wrangler): this repo. */
  repoRoot: string;
  /** The SPA's build env; default: what `vite build` loads for web/ (web/.env.production*, exported VITE_*). */
  webEnv?: Record<string, string>;
  /** Output of `wrangler secret list` per Worker: every manifest secret must be in it. */
  deployedSecrets?: Partial<Record<WorkerName, string>>;
  /** Build both Workers with `wrangler deploy --dry-run` (a few seconds each). Default true. */
  build?: boolean;
}

/** Settings production must give, with what breaks without them. */
const REQUIRED_VARS: Record<WorkerName, Record<string, string>> = {
  growqr: {
    CLERK_ISSUER: "every sign-in is refused",
    AUTHORIZED_PARTIES: "every sign-in is refused",
    CORS_ORIGINS: "the SPA on its own origin cannot call the API",
  },
  "growqr-provisioner": { MODEL_GATEWAY_URL: "sub-agents cannot reach the model" },
};

export async function checkDeployment(options: CheckOptions): Promise<Problem[]> {
  const { root, repoRoot } = options;
  const problems: Problem[] = [];
  const readByCode = stringSettingsOf(
    repoRoot,
    WORKERS.map((w) => w.envFile),
  );
  const names: Partial<Record<WorkerName, string>> = {};
  const builds: Array<Promise<void>> = [];

  for (const { worker, config, manifest, envFile } of WORKERS) {
    const configPath = path.join(root, config);
    if (!existsSync(configPath)) {
      problems.push({ where: config, message: "missing", kind: "error" });
      continue;
    }
    const parsed = unstable_readConfig({ config: configPath });
    names[worker] = parsed.name;
    const vars = { ...parsed.vars } as Record<string, unknown>;
    if (parsed.name !== worker)
      problems.push({ where: config, message: `name is ${parsed.name}, expected ${worker}`, kind: "error" });
    if (parsed.keep_vars !== true)
      problems.push({
        where: config,
        message: "keep_vars = true is missing: each deploy would delete the vars set in the dashboard",
        kind: "error",
      });
    for (const [name, breaks] of Object.entries(REQUIRED_VARS[worker]))
      if (!vars[name])
        problems.push({ where: `${config} [vars] ${name}`, message: `not set: ${breaks}`, kind: "error" });
    problems.push(...varProblems(worker, config, vars));

    const manifestPath = path.join(root, manifest);
    const secrets = existsSync(manifestPath)
      ? parseSecretsManifest(manifest, readFileSync(manifestPath, "utf8"))
      : { names: [], problems: [{ where: manifest, message: "missing", kind: "error" as const }] };
    problems.push(...secrets.problems);
    problems.push(
      ...coverageProblems({
        worker,
        config,
        manifest,
        envFile,
        readByCode: readByCode[envFile] ?? [],
        vars: Object.keys(vars),
        secrets: secrets.names,
      }),
    );
    const deployed = options.deployedSecrets?.[worker];
    if (deployed)
      problems.push(
        ...deployedSecretProblems(worker, deployed, readFileSync(deployed, "utf8"), secrets.names),
      );

    if (worker === "growqr") {
      const services: Array<{ binding: string; service: string }> = parsed.services ?? [];
      const binding = services.find((service) => service.binding === "PROVISIONER");
      if (binding?.service !== "growqr-provisioner")
        problems.push({
          where: config,
          message: "the PROVISIONER service binding must name the provisioner Worker, growqr-provisioner",
          kind: "error",
        });
      if (!parsed.triggers.crons?.length)
        problems.push({
          where: config,
          message: "no cron: usage whose report poke was lost would never reach the Stripe meter",
          kind: "error",
        });
    } else if (parsed.workers_dev !== false)
      problems.push({
        where: config,
        message: "workers_dev = false is missing: the provisioner must be reachable only through the binding",
        kind: "error",
      });

    if (options.build !== false)
      builds.push(
        dryRunBuild(repoRoot, configPath).then((failure) => {
          if (failure)
            problems.push({
              where: config,
              message: `wrangler deploy --dry-run fails:\n${failure}`,
              kind: "error",
            });
        }),
      );
  }

  problems.push(...imageProblems(root));
  const webEnv = options.webEnv ?? loadEnv("production", path.join(root, "web"), "VITE_");
  problems.push(...webEnvProblems(webEnv));
  await Promise.all(builds);
  return problems;
}

/** Both machine images exist, and every COPY/ADD source of every Dockerfile resolves in the repo-root context. */
function imageProblems(root: string): Problem[] {
  const problems: Problem[] = [];
  for (const role of Object.keys(ROLE_PORTS)) {
    const dockerfile = `runtime/${role}/Dockerfile`;
    if (!existsSync(path.join(root, dockerfile)))
      problems.push({
        where: dockerfile,
        message: `missing: the ${role} machines have no image`,
        kind: "error",
      });
  }
  if (!existsSync(path.join(root, "runtime"))) return problems;
  for (const dockerfile of filesUnder(root, "runtime", (name) => name === "Dockerfile"))
    for (const message of buildContextProblems(path.join(root, dockerfile), root))
      problems.push({ where: dockerfile, message, kind: "error" });
  return problems;
}
