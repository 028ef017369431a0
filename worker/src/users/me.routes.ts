import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { authenticatedErrors, Uuid } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";

const MeSchema = z
  .object({
    id: Uuid,
    email: z.string().nullable(),
    name: z.string().nullable(),
    imageUrl: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Me");

const getMe = createRoute({
  method: "get",
  path: "/",
  tags: ["me"],
  security: [{ bearerAuth: [] }],
  summary: "The signed-in user",
  responses: {
    200: { description: "You", content: { "application/json": { schema: MeSchema } } },
    ...authenticatedErrors,
  },
});

export const meRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(getMe, (c) => {
  const { id, email, name, imageUrl, createdAt } = c.var.user;
  return c.json({ id, email, name, imageUrl, createdAt: createdAt.toISOString() }, 200);
});
