import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "thread_not_found" }),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** Responses every authenticated route can give, so API consumers can generate handling for them. */
export const authenticatedErrors = {
  400: errorResponse("Invalid input"),
  401: errorResponse("Missing, invalid or expired session token"),
  429: errorResponse("Rate limited; see Retry-After"),
  503: errorResponse("A dependency (database, identity provider) is unavailable"),
} as const;

export const notFound = { 404: errorResponse("No such resource, or not yours") } as const;

/**
 * Postgres cannot store U+0000 in text or jsonb: a string that reaches the database must be refused with a 400
 * rather than failing the query (a 500). Add to every client string that is stored: `z.string().regex(NO_NUL, …)`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
export const NO_NUL = /^[^\u0000]*$/;
export const NO_NUL_MESSAGE = "must not contain NUL characters";

export const Uuid = z.uuid().openapi({ example: "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b" });

export const PageLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .openapi({ param: { name: "limit", in: "query" }, description: "Page size (1–100)", example: 20 });

export const Cursor = z
  .string()
  .max(200)
  .optional()
  .openapi({ param: { name: "cursor", in: "query" }, description: "`nextCursor` of the previous page" });

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
    })
    .openapi(name);

/** A JSON response of a route: `responses: { 200: jsonResponse(Schema, "…") }`. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A required JSON request body: `request: { body: jsonBody(Schema) }`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});
