/**
 * The rules `npm run deploy:check` applies to a production configuration, as pure functions of the values read
 * (wrangler.toml vars, the secrets manifests, the SPA's build env, the settings the code reads). Each returns the
 * problems it finds; deployment-check.ts reads the files and runs the parts that need a process.
 */
import { DEFAULT_PRICE_IDS } from "../worker/src/billing/plans";

export interface Problem {
  /** The file or setting the problem is in. */
  where: string;
  message: string;
  /**
   * `placeholder`: a value the repo ships for the operator to replace (example hosts, dev/stripe's price ids, an
   * unset SPA key); tolerated by `--template`, which checks the repo as shipped. `error`: wrong in any mode.
   */
  kind: "error" | "placeholder";
}

export type WorkerName = "growqr" | "growqr-provisioner";

/**
 * Settings the code reads that production leaves unset, and why. `local`: only the dev stack sets them, and
 * production must not (they point at this machine). `optional`: a production default applies, and a [vars]
 * entry may override it.
 */
export const UNSET_IN_PRODUCTION: Record<
  WorkerName,
  Record<string, { kind: "local" | "optional"; why: string }>
> = {
  growqr: {
    DB_WS_PROXY: { kind: "local", why: "the dev WebSocket proxy in front of a local Postgres" },
    STRIPE_API_HOST: { kind: "local", why: "dev/stripe; production talks to api.stripe.com" },
    STRIPE_API_PORT: { kind: "local", why: "dev/stripe" },
    STRIPE_API_PROTOCOL: { kind: "local", why: "dev/stripe" },
    CLERK_SECRET_KEY: { kind: "optional", why: "alternative to CLERK_JWT_KEY (JWKS over the network)" },
    ANTHROPIC_BASE_URL: { kind: "optional", why: "default https://api.anthropic.com" },
    ANTHROPIC_MODEL: { kind: "optional", why: "default: the Grow Agent's model in agent-config.ts" },
    MODEL_GATEWAY_MODELS: { kind: "optional", why: "default: the gateway forwards any Claude model" },
    BILLING_RETURN_URL: { kind: "optional", why: "default: first AUTHORIZED_PARTIES origin + /billing" },
    AGENT_MAX_MESSAGE_CHARS: { kind: "optional", why: "default in agent-config.ts" },
    AGENT_MAX_STEPS: { kind: "optional", why: "default in agent-config.ts" },
    AGENT_CONTEXT_TOKENS: { kind: "optional", why: "default in agent-config.ts" },
    AGENT_MAX_OUTPUT_TOKENS: { kind: "optional", why: "default in agent-config.ts" },
    AGENT_MAX_PARALLEL_SUBAGENTS: { kind: "optional", why: "default in agent-config.ts" },
    AGENT_SUBAGENT_TIMEOUT_SECONDS: { kind: "optional", why: "default in agent-config.ts" },
    AGENT_TURN_WATCH_SECONDS: { kind: "optional", why: "default in agent-config.ts" },
    USAGE_REPORT_DELAY_SECONDS: { kind: "optional", why: "default 60 s in billing/usage-reports.do.ts" },
  },
  "growqr-provisioner": {
    DB_WS_PROXY: { kind: "local", why: "the dev WebSocket proxy in front of a local Postgres" },
    FLY_API_URL: { kind: "optional", why: "default https://api.machines.dev/v1 (dev/fly locally)" },
    FLY_EDGE_URL: { kind: "optional", why: "default https://<FLY_APP>.fly.dev (dev/fly locally)" },
    FLY_OPENCODE_IMAGE: { kind: "optional", why: "default registry.fly.io/<FLY_APP>:opencode" },
    FLY_GITEA_IMAGE: { kind: "optional", why: "default registry.fly.io/<FLY_APP>:gitea" },
    FLY_VOLUME_SIZE_GB: { kind: "optional", why: "default 1" },
  },
};

/** Groups of which exactly one must be a secret (Clerk verifies with a PEM key or with the JWKS). */
const ONE_OF_SECRETS: Record<WorkerName, string[][]> = {
  growqr: [["CLERK_JWT_KEY", "CLERK_SECRET_KEY"]],
  "growqr-provisioner": [],
};

/** Names that hold credentials: never a [vars] entry (vars are plain text in wrangler.toml and the dashboard). */
const SECRET_NAME = /(SECRET|_TOKEN$|PASSWORD|_KEY$|^DATABASE_URL$)/;

const DEV_VALUES = new Map<string, string>(
  Object.values(DEFAULT_PRICE_IDS).map((id) => [id, "dev/stripe's price id: put the live price id here"]),
);

/** Why a production value is wrong (`error`) or still the shipped stand-in (`placeholder`); undefined if fine. */
export function valueProblem(value: string): { kind: Problem["kind"]; reason: string } | undefined {
  const lower = value.toLowerCase();
  if (/(^|[/@.:,\s])(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\])([/:,\s]|$)/.test(lower))
    return { kind: "error", reason: "points at this machine (a local value)" };
  if (/\bhttp:\/\//.test(lower)) return { kind: "error", reason: "plain http: production URLs are https" };
  const devValue = DEV_VALUES.get(value.trim());
  if (devValue) return { kind: "placeholder", reason: devValue };
  if (
    /(^|[/.@])(example\.(com|org|net)|[a-z0-9-]+\.example)([/:,\s]|$)|your-domain|replace|change-?me/.test(
      lower,
    )
  )
    return { kind: "placeholder", reason: "a placeholder: replace it with the production value" };
  return undefined;
}

/** Problems of one Worker's [vars]: local or placeholder values, credentials in plain text, local-only names. */
export function varProblems(worker: WorkerName, config: string, vars: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  for (const [name, raw] of Object.entries(vars)) {
    const where = `${config} [vars] ${name}`;
    const value = typeof raw === "string" ? raw : JSON.stringify(raw);
    const unset = UNSET_IN_PRODUCTION[worker][name];
    if (unset?.kind === "local")
      problems.push({
        where,
        message: `local only (${unset.why}): remove it from production`,
        kind: "error",
      });
    if (SECRET_NAME.test(name))
      problems.push({
        where,
        message: "looks like a credential: vars are plain text; use `wrangler secret put` instead",
        kind: "error",
      });
    const problem = valueProblem(value);
    if (problem)
      problems.push({ where, message: `${JSON.stringify(value)} ${problem.reason}`, kind: problem.kind });
  }
  return problems;
}

/** One name a line, `#` comments; `NAME=` is accepted, but a value is a problem (values go to wrangler only). */
export function parseSecretsManifest(file: string, text: string): { names: string[]; problems: Problem[] } {
  const names: string[] = [];
  const problems: Problem[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const match = /^([A-Z][A-Z0-9_]*)\s*(?:=(.*))?$/.exec(line);
    const where = `${file}:${index + 1}`;
    if (!match?.[1])
      problems.push({ where, message: `not a setting name: ${JSON.stringify(line)}`, kind: "error" });
    else if (match[2]?.trim())
      problems.push({
        where,
        message: `${match[1]} has a value: this file names secrets only, their values go to \`wrangler secret put\``,
        kind: "error",
      });
    else names.push(match[1]);
  });
  return { names, problems };
}

export interface WorkerSettings {
  worker: WorkerName;
  /** The wrangler config and the secrets manifest, as the problems name them. */
  config: string;
  manifest: string;
  /** Where the code's Env interface is (for the messages). */
  envFile: string;
  /** String settings of the Worker's Env interface (bindings excluded). */
  readByCode: string[];
  vars: string[];
  secrets: string[];
}

/**
 * Every setting the code reads is decided for production: a [vars] entry, a secret in the manifest, or unset on
 * purpose (UNSET_IN_PRODUCTION). A new setting that nobody placed fails here instead of in production.
 */
export function coverageProblems(settings: WorkerSettings): Problem[] {
  const { worker, config, manifest, envFile } = settings;
  const read = new Set(settings.readByCode);
  const vars = new Set(settings.vars);
  const secrets = new Set(settings.secrets);
  const unset = UNSET_IN_PRODUCTION[worker];
  const problems: Problem[] = [];
  for (const name of settings.readByCode) {
    if (vars.has(name) || secrets.has(name) || unset[name]) continue;
    problems.push({
      where: `${worker}: ${name}`,
      message: `read by the code (${envFile}) but production sets it nowhere: add it to [vars] in ${config} or to ${manifest}, or to UNSET_IN_PRODUCTION in deploy/config-rules.ts with the reason`,
      kind: "error",
    });
  }
  for (const name of secrets) {
    if (!read.has(name))
      problems.push({
        where: `${manifest}: ${name}`,
        message: `not read by ${worker} (${envFile}): remove it`,
        kind: "error",
      });
    if (vars.has(name))
      problems.push({
        where: `${manifest}: ${name}`,
        message: `also a [vars] entry in ${config}: wrangler refuses a secret with a var's name`,
        kind: "error",
      });
    if (unset[name]?.kind === "local")
      problems.push({
        where: `${manifest}: ${name}`,
        message: `local only (${unset[name].why})`,
        kind: "error",
      });
  }
  for (const group of ONE_OF_SECRETS[worker]) {
    const present = group.filter((name) => secrets.has(name));
    if (present.length !== 1)
      problems.push({
        where: manifest,
        message: `name exactly one of ${group.join(", ")} (found ${present.length === 0 ? "none" : present.join(", ")})`,
        kind: "error",
      });
  }
  return problems;
}

/**
 * The secrets a Worker really has, from `wrangler secret list` (JSON, `[{ "name": … }]`) or one name a line:
 * every secret the manifest names must be among them.
 */
export function deployedSecretProblems(
  worker: WorkerName,
  file: string,
  text: string,
  manifest: string[],
): Problem[] {
  let deployed: string[];
  try {
    const parsed = JSON.parse(text) as unknown;
    deployed = Array.isArray(parsed)
      ? parsed.map((entry) => String((entry as { name?: unknown }).name ?? entry))
      : [];
  } catch {
    deployed = text
      .split("\n")
      .map((line) => line.replace(/#.*$/, "").trim())
      .filter(Boolean);
  }
  const have = new Set(deployed);
  return manifest
    .filter((name) => !have.has(name))
    .map((name) => ({
      where: `${worker}: ${name}`,
      message: `not among the secrets put on ${worker} (${file}): \`npx wrangler secret put ${name}${worker === "growqr" ? "" : " -c provisioner/wrangler.toml"}\``,
      kind: "error" as const,
    }));
}

/**
 * The SPA's build env (`VITE_*`, baked into public files): the Clerk key of a production instance, a production
 * API origin if one is set, and nothing secret.
 */
export function webEnvProblems(env: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  const where = (name: string) => `SPA build env ${name}`;
  const clerk = env.VITE_CLERK_PUBLISHABLE_KEY?.trim();
  if (!clerk)
    problems.push({
      where: where("VITE_CLERK_PUBLISHABLE_KEY"),
      message:
        "not set: the SPA would offer the dev issuer's sign-in; set the Clerk production key (pk_live_…)",
      kind: "placeholder",
    });
  else if (clerk.startsWith("pk_test_"))
    problems.push({
      where: where("VITE_CLERK_PUBLISHABLE_KEY"),
      message: "a Clerk development instance key (pk_test_…): use the production instance's pk_live_… key",
      kind: "error",
    });
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("VITE_")) continue;
    if (/^(sk|rk)_(live|test)_|^whsec_|-----BEGIN/.test(value.trim()))
      problems.push({
        where: where(name),
        message: "a secret: VITE_* values are public in the bundle",
        kind: "error",
      });
    const problem = valueProblem(value);
    if (problem)
      problems.push({
        where: where(name),
        message: `${JSON.stringify(value)} ${problem.reason}`,
        kind: problem.kind,
      });
  }
  return problems;
}
