import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import { validateMemoryContent, validateMemoryPath } from "../git/memory-paths";
import {
  authenticatedErrors,
  jsonResponse,
  NO_NUL,
  NO_NUL_MESSAGE,
  notFound,
} from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { memoryHistoryRoutes } from "./memory-history.routes";
import { requestMemoryReader } from "./memory-reader";

const security = [{ bearerAuth: [] }];
const tags = ["memory"];

const PathQuery = z.object({
  path: z
    .string()
    .min(1)
    .max(255)
    .openapi({ param: { name: "path", in: "query" }, example: "notes/fly.md" }),
});

const Entry = z
  .object({
    path: z.string(),
    type: z.enum(["file", "dir"]),
    size: z.number().int(),
    pending: z.boolean().optional().openapi({ description: "A write waiting to be committed" }),
  })
  .openapi("MemoryEntry");

const File = z
  .object({
    path: z.string(),
    content: z.string(),
    source: z.enum(["l1", "pending", "l2", "git", "session"]),
  })
  .openapi("MemoryFile");

const WriteBody = z
  .strictObject({
    path: z.string().min(1).max(255),
    // Checked in bytes by the memory service (413 content_too_large), not in characters here.
    content: z.string().openapi({ description: "The whole file, at most 256 KiB of UTF-8" }),
    message: z.string().max(200).regex(NO_NUL, NO_NUL_MESSAGE).optional(),
  })
  .openapi("MemoryWrite");

const WriteResult = z
  .object({
    status: z.enum(["committed", "pending", "saved"]),
    path: z.string(),
    writeId: z.string().optional(),
    commitSha: z.string().optional(),
  })
  .openapi("MemoryWriteResult");

const FailureReason = z.enum(["rejected", "invalid_path", "retries_exhausted"]).openapi({
  description:
    "rejected: git or Gitea refused the write; invalid_path: its path can never be written; retries_exhausted: it kept failing for about an hour",
});

const FailedWrite = z
  .object({
    id: z.string(),
    path: z.string(),
    message: z.string(),
    reason: FailureReason,
    error: z.string().openapi({ description: "What git or Gitea answered" }),
    attempts: z.number().int(),
    createdAt: z.string(),
    failedAt: z.string(),
  })
  .openapi("MemoryFailedWrite");

const routes = {
  list: createRoute({
    method: "get",
    path: "/",
    tags,
    security,
    summary: "List a directory of your memory repository",
    request: {
      query: z.object({
        prefix: z
          .string()
          .max(255)
          .default("")
          .openapi({ param: { name: "prefix", in: "query" }, description: 'Directory; "" is the root' }),
      }),
    },
    responses: { 200: jsonResponse(z.object({ items: z.array(Entry) }), "Entries"), ...authenticatedErrors },
  }),
  file: createRoute({
    method: "get",
    path: "/file",
    tags,
    security,
    summary: "Read a memory file (a write not yet committed is returned as it will be)",
    request: { query: PathQuery },
    responses: { 200: jsonResponse(File, "The file"), ...authenticatedErrors, ...notFound },
  }),
  write: createRoute({
    method: "put",
    path: "/file",
    tags,
    security,
    summary: "Write a memory file: one commit",
    description:
      "Stored durably first, then committed (200). When git is unreachable the write waits and is retried (202); reads already return it. Send `Idempotency-Key` to make a retried request count once.",
    request: {
      body: { required: true, content: { "application/json": { schema: WriteBody } } },
      headers: z.object({ "idempotency-key": z.string().max(200).optional() }),
    },
    responses: {
      200: jsonResponse(WriteResult, "Committed"),
      202: jsonResponse(WriteResult, "Stored; waiting for git"),
      413: authenticatedErrors[400],
      422: {
        ...authenticatedErrors[400],
        description:
          "`idempotency_key_reused`: the key came with a different path, content or message; `memory_write_failed`: git or Gitea refused the write for good (it is listed in `GET /api/memory/writes`)",
      },
      ...authenticatedErrors,
    },
  }),
  writes: createRoute({
    method: "get",
    path: "/writes",
    tags,
    security,
    summary: "Memory writes that were set aside: refused by git, or still failing after retries",
    description:
      "A failed write never holds back later ones. It is listed, newest first, with its reason, until a later write of the same path is committed.",
    request: {
      query: z.object({
        status: z
          .enum(["failed"])
          .default("failed")
          .openapi({ param: { name: "status", in: "query" } }),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ items: z.array(FailedWrite) }), "Failed writes"),
      ...authenticatedErrors,
    },
  }),
};

/** Reads straight from the Worker (no actor wake needed); writes go through the user's growAgent. */
export function memoryRoutes(actorsClient: ActorsClient | undefined) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(routes.list, async (c) => {
      const items = await requestMemoryReader(c).list({ prefix: c.req.valid("query").prefix });
      return c.json({ items }, 200);
    })
    .openapi(routes.file, async (c) => {
      const file = await requestMemoryReader(c).read({ path: c.req.valid("query").path });
      if (!file) throw new ApiError("memory_not_found", "No such memory file");
      return c.json(file, 200);
    })
    .openapi(routes.writes, async (c) => {
      const items = await requestMemoryReader(c).failedWrites();
      return c.json({ items }, 200);
    })
    .openapi(routes.write, async (c) => {
      const body = c.req.valid("json");
      // Refused here, before the Grow Agent is woken for a write it would refuse anyway (the same pure checks).
      validateMemoryPath(body.path);
      validateMemoryContent(body.content);
      const agent = await userActors(actorsClient, c.env, c.var.user.id).growAgent();
      const result = await agent.commitMemory({
        ...body,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      if (result.status === "failed") {
        throw new ApiError("memory_write_failed", `${result.reason}: ${result.error}`);
      }
      return c.json(result, result.status === "pending" ? 202 : 200);
    })
    .route("/", memoryHistoryRoutes(actorsClient));
}
