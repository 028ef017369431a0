// deploy:check against three configurations: the repo as shipped (template mode: only placeholders), a filled-in
// copy that must pass for real (both Workers built), and a broken copy that must fail naming each problem. The
// copies hold the configuration files and link the code, which is what a checked configuration is made of.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkDeployment } from "./deployment-check";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const PRODUCTION_WEB_ENV = {
  VITE_API_ORIGIN: "https://api.growqr.dev",
  VITE_CLERK_PUBLISHABLE_KEY: "pk_live_Y2xlcmsuZ3Jvd3FyLmRldiQ",
};
const FILLED: Array<[string, string]> = [
  ['"https://app.example.com"', '"https://app.growqr.dev"'],
  ['"https://clerk.example.com"', '"https://clerk.growqr.dev"'],
  ['"price_growqr_pro_monthly"', '"price_1QgrowqrPro"'],
  ['"price_growqr_team_monthly"', '"price_1QgrowqrTeam"'],
  ['"https://api.example.com/api/model-gateway"', '"https://api.growqr.dev/api/model-gateway"'],
];

/** A copy of the repo's configuration (edited by `edit`), with the code linked in so the Workers build. */
function configurationCopy(edit: (text: string, file: string) => string): string {
  const root = mkdtempSync(path.join(tmpdir(), "growqr-deploy-config-"));
  temps.push(root);
  mkdirSync(path.join(root, "provisioner"));
  for (const dir of ["worker", "platform", "contract", "schema", "node_modules", "provisioner/src"])
    symlinkSync(path.join(repoRoot, dir), path.join(root, dir), "dir");
  for (const file of ["package.json", "tsconfig.json"])
    symlinkSync(path.join(repoRoot, file), path.join(root, file));
  cpSync(path.join(repoRoot, "runtime"), path.join(root, "runtime"), { recursive: true });
  for (const file of [
    "wrangler.toml",
    "provisioner/wrangler.toml",
    "deploy/growqr.secrets",
    "deploy/growqr-provisioner.secrets",
    ".dockerignore",
    "runtime/opencode/Dockerfile",
    "runtime/gitea/Dockerfile",
  ]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), edit(readFileSync(path.join(repoRoot, file), "utf8"), file));
  }
  return root;
}

const fill = (text: string) => FILLED.reduce((out, [from, to]) => out.replaceAll(from, to), text);

describe("npm run deploy:check", () => {
  it("the repo as shipped: no error, and exactly the placeholders an operator must replace", async () => {
    const problems = await checkDeployment({ root: repoRoot, repoRoot, webEnv: {}, build: false });
    expect(problems.filter((problem) => problem.kind === "error")).toEqual([]);
    expect(problems.map((problem) => problem.where).sort()).toEqual([
      "SPA build env VITE_CLERK_PUBLISHABLE_KEY",
      "provisioner/wrangler.toml [vars] MODEL_GATEWAY_URL",
      "wrangler.toml [vars] AUTHORIZED_PARTIES",
      "wrangler.toml [vars] CLERK_ISSUER",
      "wrangler.toml [vars] CORS_ORIGINS",
      "wrangler.toml [vars] STRIPE_PRICE_PRO",
      "wrangler.toml [vars] STRIPE_PRICE_TEAM",
    ]);
  }, 60_000);

  it("the shipped configuration with the placeholders filled in passes for real, both Workers built", async () => {
    const root = configurationCopy(fill);
    expect(await checkDeployment({ root, repoRoot, webEnv: PRODUCTION_WEB_ENV })).toEqual([]);
  }, 90_000);

  it("a broken configuration fails naming each problem", async () => {
    const root = configurationCopy((text, file) => {
      const filled = fill(text);
      if (file === "wrangler.toml")
        return filled.replace(
          'CORS_ORIGINS = "https://app.growqr.dev"',
          'CORS_ORIGINS = "http://localhost:5173"',
        );
      if (file === "deploy/growqr.secrets") return filled.replace(/^STRIPE_WEBHOOK_SECRET.*$/m, "");
      if (file === "runtime/gitea/Dockerfile")
        return `${filled}\nCOPY runtime/gitea/missing.sh /usr/local/bin/\n`;
      return filled;
    });
    const problems = await checkDeployment({
      root,
      repoRoot,
      webEnv: { ...PRODUCTION_WEB_ENV, VITE_API_ORIGIN: "http://127.0.0.1:8787" },
      build: false,
    });
    expect(problems.every((problem) => problem.kind === "error")).toBe(true);
    expect(problems.map(({ where, message }) => `${where}: ${message}`).sort()).toEqual([
      expect.stringMatching(
        /^SPA build env VITE_API_ORIGIN: "http:\/\/127\.0\.0\.1:8787" points at this machine/,
      ),
      expect.stringMatching(/^growqr: STRIPE_WEBHOOK_SECRET: read by the code .* production sets it nowhere/),
      expect.stringMatching(
        /^runtime\/gitea\/Dockerfile: runtime\/gitea\/Dockerfile:\d+ COPY runtime\/gitea\/missing\.sh: not found/,
      ),
      expect.stringMatching(
        /^wrangler\.toml \[vars\] CORS_ORIGINS: "http:\/\/localhost:5173" points at this machine/,
      ),
    ]);
  }, 60_000);
});
