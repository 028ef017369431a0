import path from "node:path";
import type { ProvidedContext } from "vitest";
import type { TestProject } from "vitest/node";
import { useProvidedOutsideWorker } from "./api";
import { seedVictimTo } from "./hostile-users";
import { startTestStack } from "./stack";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    stackDatabaseUrl: string;
    stackWsProxy: string;
    issuerUrl: string;
    issuerKeyFile: string;
    authorizedParty: string;
    flyApiUrl: string;
    flyEdgeUrl: string;
    flyToken: string;
    /** dev/model's base URL, for tests that look at what the agent sent the model. */
    modelUrl: string;
    /** dev/stripe (base URL, the key the Worker uses, the webhook signing secret), for billing tests. */
    stripeUrl: string;
    stripeSecretKey: string;
    stripeWebhookSecret: string;
    /** `wrangler dev`'s inspector, for tests that count Durable Object calls (test/support/hub-publishes.ts). */
    inspectorUrl: string;
    /** Where the hostile-input suite's one victim is written once seeded (`seedVictimTo`). */
    hostileVictimFile: string;
  }
}

/**
 * One local stack (wrangler dev with both Workers, PGlite, dev issuer) shared by every API end-to-end test, and the
 * hostile-input suite's victim (test/support/hostile-users.ts): seeded in the background, as Vitest runs the global
 * set-ups one after the other before any file, and a victim takes an OpenCode cold start; the files that attack
 * the victim wait for it.
 */
export default async function setup(project: TestProject) {
  const stack = await startTestStack({ issuerKeyFile: (stateDir) => path.join(stateDir, "issuer-key.json") });
  const provided = {
    apiUrl: stack.apiUrl,
    inspectorUrl: stack.inspectorUrl(),
    stackDatabaseUrl: stack.databaseUrl,
    stackWsProxy: stack.wsProxy,
    issuerUrl: stack.issuer.url,
    issuerKeyFile: stack.issuerKeyFile ?? "",
    authorizedParty: stack.issuer.authorizedParty,
    flyApiUrl: stack.fly?.apiUrl ?? "",
    flyEdgeUrl: stack.fly?.edgeUrl ?? "",
    flyToken: stack.fly?.token ?? "",
    modelUrl: stack.model?.url ?? "",
    stripeUrl: stack.stripe?.url ?? "",
    stripeSecretKey: stack.stripe?.secretKey ?? "",
    stripeWebhookSecret: stack.stripe?.webhookSecret ?? "",
    hostileVictimFile: path.join(path.dirname(stack.issuerKeyFile ?? ""), "hostile-victim.json"),
  } satisfies Partial<ProvidedContext>;
  for (const key of Object.keys(provided) as Array<keyof typeof provided>)
    project.provide(key, provided[key]);
  useProvidedOutsideWorker(provided);
  const seeding = seedVictimTo(provided.hostileVictimFile);
  return async () => {
    await seeding;
    await stack.stop();
  };
}
