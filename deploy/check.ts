/**
 * `npm run deploy:check`: validates the production configuration offline and names every problem (docs/deploy.md).
 *
 *   npm run deploy:check                       the configuration as it will be deployed: no placeholder may remain
 *   npm run deploy:check -- --template         the repo as shipped: placeholders listed, only real errors fail
 *   --web-env <file>                           the SPA's build env (default: what `vite build` loads for web/)
 *   --secrets growqr=<file>                    `npx wrangler secret list` output: every manifest secret is put
 *   --secrets growqr-provisioner=<file>        the same for the provisioner (… -c provisioner/wrangler.toml)
 *   --root <dir>                               check a configuration elsewhere (default: this repo)
 *   --no-build                                 skip the two `wrangler deploy --dry-run` builds
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, parseEnv } from "node:util";
import type { WorkerName } from "./config-rules";
import { checkDeployment } from "./deployment-check";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    template: { type: "boolean", default: false },
    "web-env": { type: "string" },
    secrets: { type: "string", multiple: true, default: [] },
    root: { type: "string" },
    "no-build": { type: "boolean", default: false },
  },
});

const deployedSecrets: Partial<Record<WorkerName, string>> = {};
for (const entry of values.secrets) {
  const [worker, file] = entry.split("=", 2);
  if ((worker !== "growqr" && worker !== "growqr-provisioner") || !file) {
    console.error(`--secrets ${entry}: expected growqr=<file> or growqr-provisioner=<file>`);
    process.exit(2);
  }
  deployedSecrets[worker] = path.resolve(file);
}

const started = Date.now();
const problems = await checkDeployment({
  root: values.root ? path.resolve(values.root) : repoRoot,
  repoRoot,
  webEnv: values["web-env"]
    ? (parseEnv(readFileSync(values["web-env"], "utf8")) as Record<string, string>)
    : undefined,
  deployedSecrets,
  build: !values["no-build"],
});

const failing = problems.filter((problem) => problem.kind === "error" || !values.template);
const toReplace = problems.filter((problem) => problem.kind === "placeholder" && values.template);
for (const { where, message } of toReplace) console.log(`  to replace  ${where}: ${message}`);
for (const { where, message } of failing) console.log(`  ✗ ${where}: ${message}`);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failing.length > 0) {
  console.log(`deploy:check: ${failing.length} problem(s) (${seconds} s)`);
  process.exit(1);
}
console.log(
  values.template
    ? `deploy:check: the template is sound; replace the ${toReplace.length} placeholder(s) above before deploying (${seconds} s)`
    : `deploy:check: ready to deploy (${seconds} s)`,
);
