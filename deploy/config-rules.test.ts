import { describe, expect, it } from "vitest";
import {
  coverageProblems,
  deployedSecretProblems,
  parseSecretsManifest,
  valueProblem,
  varProblems,
  type WorkerSettings,
  webEnvProblems,
} from "./config-rules";

describe("valueProblem", () => {
  it.each([
    ["http://localhost:5173", "error"],
    ["127.0.0.1:15433", "error"],
    ["https://app.growqr.dev,http://[::1]:8787", "error"],
    ["http://api.growqr.dev", "error"],
    ["https://app.example.com", "placeholder"],
    ["https://api.example/api/model-gateway", "placeholder"],
    ["https://app.your-domain.com", "placeholder"],
    ["price_growqr_pro_monthly", "placeholder"],
  ])("%s is %s", (value, kind) => {
    expect(valueProblem(value)?.kind).toBe(kind);
  });

  it.each(["https://app.growqr.dev", "price_1QgrowqrPro", "growqr_tokens", "900", "iad", "growqr-runtime"])(
    "%s is fine",
    (value) => {
      expect(valueProblem(value)).toBeUndefined();
    },
  );
});

describe("varProblems", () => {
  it("refuses local-only settings and credentials in plain text", () => {
    const problems = varProblems("growqr", "wrangler.toml", {
      DB_WS_PROXY: "db.internal:5433",
      STRIPE_SECRET_KEY: "sk_live_x",
      AGENT_CONTEXT_TOKENS: "60000",
    });
    expect(problems.map((problem) => problem.where)).toEqual([
      "wrangler.toml [vars] DB_WS_PROXY",
      "wrangler.toml [vars] STRIPE_SECRET_KEY",
    ]);
    expect(problems.every((problem) => problem.kind === "error")).toBe(true);
  });
});

describe("parseSecretsManifest", () => {
  it("reads names and comments, and refuses a value", () => {
    const { names, problems } = parseSecretsManifest(
      "deploy/growqr.secrets",
      "# header\nDATABASE_URL  # Neon\nCLERK_JWT_KEY=\n\nSTRIPE_SECRET_KEY=sk_live_oops\nnot a name\n",
    );
    expect(names).toEqual(["DATABASE_URL", "CLERK_JWT_KEY"]);
    expect(problems.map((problem) => problem.where)).toEqual([
      "deploy/growqr.secrets:5",
      "deploy/growqr.secrets:6",
    ]);
    expect(problems[0]?.message).not.toContain("sk_live_oops");
  });
});

describe("coverageProblems", () => {
  const base: WorkerSettings = {
    worker: "growqr",
    config: "wrangler.toml",
    manifest: "deploy/growqr.secrets",
    envFile: "worker/src/env.ts",
    readByCode: [
      "CLERK_ISSUER",
      "CLERK_JWT_KEY",
      "CLERK_SECRET_KEY",
      "DATABASE_URL",
      "DB_WS_PROXY",
      "NEW_SETTING",
    ],
    vars: ["CLERK_ISSUER"],
    secrets: ["DATABASE_URL", "CLERK_JWT_KEY"],
  };

  it("names a setting the code reads that production sets nowhere", () => {
    expect(coverageProblems(base).map((problem) => problem.where)).toEqual(["growqr: NEW_SETTING"]);
  });

  it("names stale, colliding and local-only secrets, and an ambiguous Clerk key", () => {
    const problems = coverageProblems({
      ...base,
      readByCode: base.readByCode.filter((name) => name !== "NEW_SETTING"),
      vars: ["CLERK_ISSUER", "DATABASE_URL"],
      secrets: ["DATABASE_URL", "CLERK_JWT_KEY", "CLERK_SECRET_KEY", "GONE", "DB_WS_PROXY"],
    });
    expect(problems.map(({ where, message }) => `${where}: ${message}`)).toEqual([
      expect.stringMatching(/^deploy\/growqr.secrets: DATABASE_URL: also a \[vars\] entry/),
      expect.stringMatching(/^deploy\/growqr.secrets: GONE: not read by growqr/),
      expect.stringMatching(/^deploy\/growqr.secrets: DB_WS_PROXY: local only/),
      expect.stringMatching(/^deploy\/growqr.secrets: name exactly one of CLERK_JWT_KEY, CLERK_SECRET_KEY/),
    ]);
  });
});

describe("deployedSecretProblems", () => {
  it("reads `wrangler secret list` JSON or one name a line", () => {
    const json = JSON.stringify([{ name: "DATABASE_URL", type: "secret_text" }]);
    expect(
      deployedSecretProblems("growqr", "list.json", json, ["DATABASE_URL", "ANTHROPIC_API_KEY"]),
    ).toEqual([expect.objectContaining({ where: "growqr: ANTHROPIC_API_KEY" })]);
    const plain = "FLY_API_TOKEN\nDATABASE_URL\n";
    const problems = deployedSecretProblems("growqr-provisioner", "list.txt", plain, [
      "DATABASE_URL",
      "STACK_SECRETS_KEY",
    ]);
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining("npx wrangler secret put STACK_SECRETS_KEY -c provisioner/wrangler.toml"),
    ]);
  });
});

describe("webEnvProblems", () => {
  it("wants a production Clerk key, and nothing secret in the public bundle", () => {
    expect(webEnvProblems({ VITE_CLERK_PUBLISHABLE_KEY: "pk_live_abc" })).toEqual([]);
    expect(webEnvProblems({})[0]?.kind).toBe("placeholder");
    const problems = webEnvProblems({
      VITE_CLERK_PUBLISHABLE_KEY: "pk_test_abc",
      VITE_STRIPE_KEY: "sk_live_x",
    });
    expect(problems.map((problem) => problem.where)).toEqual([
      "SPA build env VITE_CLERK_PUBLISHABLE_KEY",
      "SPA build env VITE_STRIPE_KEY",
    ]);
  });
});
