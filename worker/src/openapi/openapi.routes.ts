import type { OpenAPIHono, OpenAPIObjectConfigure } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppEnv } from "../env";
import { APP_VERSION } from "../version";

export const OPENAPI_INFO: Exclude<OpenAPIObjectConfigure<AppEnv, string>, (...args: never[]) => unknown> = {
  openapi: "3.1.0",
  info: {
    title: "GrowQR API",
    version: APP_VERSION,
    description:
      "Threads, messages and events of your Grow Agent. Authenticate with a Clerk session token: `Authorization: Bearer <token>`. Errors are `{ error: { code, message, requestId } }`.",
  },
  servers: [{ url: "/api" }],
};

/** Serves the generated OpenAPI 3.1 document and an interactive reference rendered from it. */
export function mountOpenApi(api: OpenAPIHono<AppEnv>): void {
  api.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Clerk session token",
  });
  api.doc31("/openapi.json", OPENAPI_INFO);
  api.get("/docs", Scalar({ url: "/api/openapi.json", pageTitle: "GrowQR API" }));
}
