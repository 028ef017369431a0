import path from "node:path";
import { type DevFly, startDevFly } from "./fly/fly-server";
import { type DevModel, startDevModel } from "./model/model-server";
import type { StackOptions } from "./stack";
import { type DevStripe, startDevStripe } from "./stripe/stripe-server";

/**
 * Real Fly when FLY_API_TOKEN is set (FLY_APP, FLY_API_URL, FLY_EDGE_URL as in production); otherwise dev/fly,
 * whose machines are local processes and whose edge proxies to them.
 */
export async function startFly(
  options: StackOptions,
): Promise<{ devFly?: DevFly; vars: Record<string, string> }> {
  const fromEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => /^FLY_[A-Z_]+$/.test(entry[0]) && !!entry[1],
    ),
  );
  if (process.env.FLY_API_TOKEN) {
    options.log("fly", "FLY_API_TOKEN is set: the provisioner uses the real Fly Machines API");
    return { vars: fromEnv };
  }
  const token = `dev-fly-${crypto.randomUUID()}`;
  const app = "growqr-runtime";
  const devFly = await startDevFly({
    token,
    apps: [app],
    stateDir: options.flyStateDir ?? path.join(options.stateDir, "fly"),
    images: options.flyImages,
    log: (line) => options.log("fly", line),
  });
  options.log(
    "fly",
    `local Machines API on ${devFly.apiUrl} (machines are local processes; edge ${devFly.edgeUrl})`,
  );
  return {
    devFly,
    vars: {
      ...fromEnv,
      FLY_API_URL: devFly.apiUrl,
      FLY_API_TOKEN: token,
      FLY_EDGE_URL: devFly.edgeUrl,
      FLY_APP: app,
    },
  };
}

/**
 * Claude when ANTHROPIC_API_KEY is set (ANTHROPIC_BASE_URL / ANTHROPIC_MODEL as in production); otherwise
 * dev/model, a local Messages API with scripted answers. The Worker sees only a base URL either way.
 */
export async function startModel(
  options: StackOptions,
): Promise<{ devModel?: DevModel; vars: Record<string, string> }> {
  const fromEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        /^ANTHROPIC_(API_KEY|BASE_URL|MODEL)$/.test(entry[0]) && !!entry[1],
    ),
  );
  if (process.env.ANTHROPIC_API_KEY) {
    options.log(
      "model",
      `ANTHROPIC_API_KEY is set: the Grow Agent uses Claude (${fromEnv.ANTHROPIC_MODEL ?? "default model"})`,
    );
    return { vars: fromEnv };
  }
  const devModel = await startDevModel({ ...options.devModel, log: (line) => options.log("model", line) });
  options.log(
    "model",
    `local Messages API (dev/model) on ${devModel.url}; set ANTHROPIC_API_KEY to use Claude`,
  );
  return {
    devModel,
    vars: { ...fromEnv, ANTHROPIC_BASE_URL: devModel.url, ANTHROPIC_API_KEY: "dev-model-local-key" },
  };
}

/**
 * Stripe when STRIPE_SECRET_KEY is set (with STRIPE_WEBHOOK_SECRET, e.g. from `stripe listen`); otherwise
 * dev/stripe, a local Stripe API subset whose hosted Checkout sends signed webhooks to the Worker.
 */
export async function startStripe(
  options: StackOptions,
): Promise<{ devStripe?: DevStripe; vars: Record<string, string> }> {
  const fromEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        /^(STRIPE_[A-Z_]+|BILLING_RETURN_URL)$/.test(entry[0]) && !!entry[1],
    ),
  );
  if (process.env.STRIPE_SECRET_KEY) {
    options.log("stripe", "STRIPE_SECRET_KEY is set: billing uses Stripe");
    return { vars: fromEnv };
  }
  const devStripe = await startDevStripe({
    stateFile: path.join(options.stateDir, "stripe-state.json"),
    log: (line) => options.log("stripe", line),
  });
  options.log(
    "stripe",
    `local Stripe API (dev/stripe) on ${devStripe.url}; set STRIPE_SECRET_KEY to use Stripe`,
  );
  return { devStripe, vars: { ...fromEnv, ...devStripe.workerVars } };
}
