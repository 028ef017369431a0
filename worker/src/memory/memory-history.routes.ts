import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../../../platform/api-error";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import { authenticatedErrors, jsonBody, jsonResponse, notFound } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import type { CommitAuthor, HistoryEntry } from "./memory-history";
import { requestMemoryReader } from "./memory-reader";

const security = [{ bearerAuth: [] }];
const tags = ["memory"];

const MemoryPath = z.string().min(1).max(255);
// Full SHA-1 or SHA-256 object names: a short one could name another commit tomorrow.
const CommitSha = z
  .string()
  .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "a full commit SHA in lowercase hex")
  .openapi({ example: "3f786850e387550fdab836ed7e6dc881de23001b" });

const Commit = z
  .object({
    sha: z.string(),
    message: z.string(),
    author: z.string().openapi({ description: 'The user\'s name, or "Grow Agent"' }),
    authorKind: z.enum(["user", "agent"]),
    date: z.string(),
  })
  .openapi("MemoryCommit");

const CommitFile = Commit.extend({
  path: z.string(),
  content: z.string(),
  previous: z
    .string()
    .nullable()
    .openapi({ description: "The file before this commit; null if it created it" }),
}).openapi("MemoryCommitFile");

const RestoreBody = z.strictObject({ path: MemoryPath, sha: CommitSha }).openapi("MemoryRestore");

const RestoreResult = z
  .object({
    status: z.enum(["committed", "pending"]),
    path: z.string(),
    writeId: z.string().optional(),
    commitSha: z.string().optional(),
  })
  .openapi("MemoryRestoreResult");

const routes = {
  history: createRoute({
    method: "get",
    path: "/history",
    tags,
    security,
    summary: "Commits that changed a memory file, newest first",
    request: {
      query: z.object({
        path: MemoryPath.openapi({ param: { name: "path", in: "query" }, example: "notes/fly.md" }),
      }),
    },
    responses: { 200: jsonResponse(z.object({ items: z.array(Commit) }), "Commits"), ...authenticatedErrors },
  }),
  commit: createRoute({
    method: "get",
    path: "/commit",
    tags,
    security,
    summary: "A memory file as one of its commits left it, and as it was before (for a diff)",
    request: {
      query: z.object({
        path: MemoryPath.openapi({ param: { name: "path", in: "query" } }),
        sha: CommitSha.openapi({ param: { name: "sha", in: "query" } }),
      }),
    },
    responses: {
      200: jsonResponse(CommitFile, "The file at the commit"),
      ...authenticatedErrors,
      ...notFound,
    },
  }),
  restore: createRoute({
    method: "post",
    path: "/restore",
    tags,
    security,
    summary: "Restore a memory file to an older commit, as a new commit",
    description:
      "Writes the file's content at `sha` through the same path as `PUT /api/memory/file` (stored first, then committed; 202 while git is unreachable). Restoring the content the file already has commits nothing. Send `Idempotency-Key` to make a retried request count once.",
    request: {
      body: jsonBody(RestoreBody),
      headers: z.object({ "idempotency-key": z.string().max(200).optional() }),
    },
    responses: {
      200: jsonResponse(RestoreResult, "Committed"),
      202: jsonResponse(RestoreResult, "Stored; waiting for git"),
      422: {
        ...authenticatedErrors[400],
        description: "`idempotency_key_reused` or `memory_write_failed`, as for `PUT /api/memory/file`",
      },
      ...authenticatedErrors,
      ...notFound,
    },
  }),
};

/** History, a file at a commit, and restoring one: reads in the Worker, the restore through the user's growAgent. */
export function memoryHistoryRoutes(actorsClient: ActorsClient | undefined) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(routes.history, async (c) => {
      const entries = await requestMemoryReader(c).history({ path: c.req.valid("query").path });
      return c.json({ items: entries.map((entry) => named(c, entry)) }, 200);
    })
    .openapi(routes.commit, async (c) => {
      const view = await requestMemoryReader(c).atCommit(c.req.valid("query"));
      if (!view) throw new ApiError("memory_not_found", "No such commit of this memory file");
      return c.json(
        { ...named(c, view), path: view.path, content: view.content, previous: view.previous },
        200,
      );
    })
    .openapi(routes.restore, async (c) => {
      const { path, sha } = c.req.valid("json");
      const view = await requestMemoryReader(c).atCommit({ path, sha });
      if (!view) throw new ApiError("memory_not_found", "No such commit of this memory file");
      // Through the actor like any edit, so its L1 cache and the outbox's order stay coherent; with no thread, the
      // commit is the user's.
      const agent = await userActors(actorsClient, c.env, c.var.user.id).growAgent();
      const result = await agent.commitMemory({
        path,
        content: view.content,
        message: `Restore ${path} to ${sha.slice(0, 7)}`,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      if (result.status === "failed") {
        throw new ApiError("memory_write_failed", `${result.reason}: ${result.error}`);
      }
      if (result.status === "saved") throw new ApiError("invalid_path", "session/ notes have no history");
      return c.json(result, result.status === "pending" ? 202 : 200);
    });
}

const AGENT_NAME = "Grow Agent";

/** Authors as people know them: the signed-in user's name (never an internal id), or their Grow Agent. */
function named(c: Context<AppEnv>, entry: HistoryEntry) {
  const { name, email } = c.var.user;
  const author = authorName(entry.by, name?.trim() || email || "You");
  return { sha: entry.sha, message: entry.message, author, authorKind: entry.by, date: entry.date };
}

const authorName = (by: CommitAuthor, userName: string) => (by === "agent" ? AGENT_NAME : userName);
