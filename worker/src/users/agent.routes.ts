import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { readAgentConfig } from "../agent/agent-config";
import type { AppEnv } from "../env";
import { authenticatedErrors, jsonResponse } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";

const ModelInfo = z
  .object({
    model: z.string().openapi({ example: "claude-sonnet-4-5" }),
    endpoint: z
      .string()
      .openapi({ description: "Host of the Messages API answering", example: "api.anthropic.com" }),
    local: z.boolean().openapi({ description: "True when a local stand-in (dev/model) answers" }),
  })
  .openapi("ModelInfo");

const model = createRoute({
  method: "get",
  path: "/",
  tags: ["agent"],
  security: [{ bearerAuth: [] }],
  summary: "The model your Grow Agent uses",
  responses: { 200: jsonResponse(ModelInfo, "Model and endpoint"), ...authenticatedErrors },
});

const LOCAL_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/** Read from configuration: answering it never wakes the user's agent. */
export const agentRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(model, (c) => {
  const config = readAgentConfig(c.env);
  return c.json(
    { model: config.model, endpoint: config.endpoint, local: LOCAL_HOST.test(config.endpoint) },
    200,
  );
});
