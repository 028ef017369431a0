import path from "node:path";
import type { TestProject } from "vitest/node";
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
  }
}

/** One local stack (wrangler dev with both Workers, PGlite, dev issuer) shared by every API end-to-end test. */
export default async function setup(project: TestProject) {
  const stack = await startTestStack({ issuerKeyFile: (stateDir) => path.join(stateDir, "issuer-key.json") });
  project.provide("apiUrl", stack.apiUrl);
  project.provide("stackDatabaseUrl", stack.databaseUrl);
  project.provide("stackWsProxy", stack.wsProxy);
  project.provide("issuerUrl", stack.issuer.url);
  project.provide("issuerKeyFile", stack.issuerKeyFile ?? "");
  project.provide("authorizedParty", stack.issuer.authorizedParty);
  project.provide("flyApiUrl", stack.fly?.apiUrl ?? "");
  project.provide("flyEdgeUrl", stack.fly?.edgeUrl ?? "");
  project.provide("flyToken", stack.fly?.token ?? "");
  project.provide("modelUrl", stack.model?.url ?? "");
  project.provide("stripeUrl", stack.stripe?.url ?? "");
  project.provide("stripeSecretKey", stack.stripe?.secretKey ?? "");
  project.provide("stripeWebhookSecret", stack.stripe?.webhookSecret ?? "");
  return () => stack.stop();
}
