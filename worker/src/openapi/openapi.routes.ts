import type { OpenAPIHono, OpenAPIObjectConfigure } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppEnv } from "../env";
import { docsPageCsp, SCALAR_SCRIPT, withPinnedScripts } from "../http/security-headers";
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
  // Nothing on the page talks to a third party: no default fonts (Scalar's font host), no "Ask AI" agent and
  // registry search (Scalar's proxy), no telemetry; the page's CSP would refuse them anyway.
  // `agent` is not in @scalar/types 0.6's configuration type, but the pinned script reads it.
  const thirdPartyFeaturesOff = { agent: { disabled: true } } as object;
  const scalar = Scalar<AppEnv>({
    url: "/api/openapi.json",
    pageTitle: "GrowQR API",
    cdn: SCALAR_SCRIPT.url,
    withDefaultFonts: false,
    telemetry: false,
    showDeveloperTools: "never",
    ...thirdPartyFeaturesOff,
  });
  api.get("/docs", async (c) => {
    const rendered = await scalar(c, async () => {});
    if (!rendered) throw new Error("Scalar rendered no page");
    const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    c.header("Content-Security-Policy", docsPageCsp(nonce));
    return c.html(withPinnedScripts(await rendered.text(), nonce));
  });
}
