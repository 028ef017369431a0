import { Hono } from "hono";
import { handleError, handleNotFound, requestContext } from "../../platform/request-context";
import type { Env, ProvisionerEnv } from "./env";

const app = new Hono<ProvisionerEnv>()
  .use(requestContext("provisioner"))
  .get("/health", (c) => c.json({ status: "ok", service: "provisioner" }))
  .notFound(handleNotFound)
  .onError(handleError);

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
