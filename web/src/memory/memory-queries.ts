import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import type { Accessor } from "solid-js";
import { ApiError, api, unwrap } from "../api/client";
import type { components } from "../api/openapi.gen";

export type MemoryEntry = components["schemas"]["MemoryEntry"];
export type MemoryWriteResult = components["schemas"]["MemoryWriteResult"];
export type MemoryFailedWrite = components["schemas"]["MemoryFailedWrite"];
export type MemoryCommit = components["schemas"]["MemoryCommit"];

export const memoryKeys = {
  all: ["memory"] as const,
  list: (prefix: string) => ["memory", "list", prefix] as const,
  file: (path: string) => ["memory", "file", path] as const,
  history: (path: string) => ["memory", "history", path] as const,
  commit: (path: string, sha: string) => ["memory", "commit", path, sha] as const,
  failed: ["memory", "writes", "failed"] as const,
};

/** The agent writes memory behind the page's back (from a chat), so what is shown is re-read soon. */
const FRESH_MS = 2_000;

/** Entries directly under a directory ("" is the root), read when `enabled` (a directory opened in the tree). */
export const useMemoryList = (prefix: Accessor<string>, enabled: Accessor<boolean> = () => true) =>
  useQuery(() => ({
    queryKey: memoryKeys.list(prefix()),
    queryFn: async () => unwrap(await api.GET("/memory", { params: { query: { prefix: prefix() } } })).items,
    enabled: enabled(),
    staleTime: FRESH_MS,
  }));

/**
 * 503 `memory_waking`: the file is only in git and the user's Gitea machine was asleep; the server is waking it.
 * Asked again every second for up to a minute, with "waking" shown meanwhile (`isMemoryWaking(query.failureReason)`).
 */
export const isMemoryWaking = (error: Error | null | undefined) =>
  error instanceof ApiError && error.code === "memory_waking";
const WAKE_RETRIES = 60;
const retryUnlessFinal = (count: number, error: Error) =>
  isMemoryWaking(error) ? count < WAKE_RETRIES : count < 1 && !isClientError(error);
const retryDelay = (count: number, error: Error) =>
  isMemoryWaking(error) ? 1_000 : Math.min(1_000 * 2 ** count, 30_000);

export const useMemoryFile = (path: Accessor<string>) =>
  useQuery(() => ({
    queryKey: memoryKeys.file(path()),
    queryFn: async () => unwrap(await api.GET("/memory/file", { params: { query: { path: path() } } })),
    enabled: path() !== "",
    staleTime: FRESH_MS,
    retry: retryUnlessFinal,
    retryDelay,
  }));

export const useMemoryHistory = (path: Accessor<string>) =>
  useQuery(() => ({
    queryKey: memoryKeys.history(path()),
    queryFn: async () =>
      unwrap(await api.GET("/memory/history", { params: { query: { path: path() } } })).items,
    enabled: path() !== "",
    staleTime: FRESH_MS,
    retry: retryUnlessFinal,
    retryDelay,
  }));

/** The file as one commit left it, and as it was before (a commit never changes: cached for good). */
export const useMemoryCommit = (path: Accessor<string>, sha: Accessor<string>) =>
  useQuery(() => ({
    queryKey: memoryKeys.commit(path(), sha()),
    queryFn: async () =>
      unwrap(await api.GET("/memory/commit", { params: { query: { path: path(), sha: sha() } } })),
    staleTime: Number.POSITIVE_INFINITY,
    retry: retryUnlessFinal,
    retryDelay,
  }));

/**
 * Puts an older version back as a new commit. The key is made once per restore the user asks for, so a request
 * repeated on the way (the mutation's own retry included) is counted once.
 */
export function useRestoreMemory() {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (input: { path: string; sha: string; key: string }) =>
      unwrap(
        await api.POST("/memory/restore", {
          params: { header: { "idempotency-key": input.key } },
          body: { path: input.path, sha: input.sha },
        }),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  }));
}

/** Writes git refused for good (or that kept failing): the server set them aside; they hold nothing back. */
export const useFailedWrites = () =>
  useQuery(() => ({
    queryKey: memoryKeys.failed,
    queryFn: async () =>
      unwrap(await api.GET("/memory/writes", { params: { query: { status: "failed" } } })).items,
    staleTime: FRESH_MS,
  }));

/** Why a write was set aside, for people. */
export function failureReasonText(reason: MemoryFailedWrite["reason"]): string {
  if (reason === "invalid_path") return "git cannot store a file at this path";
  if (reason === "retries_exhausted") return "git kept failing for about an hour, so it was given up";
  return "git refused it";
}

export interface MemoryWriteInput {
  path: string;
  content: string;
  message: string;
}

/**
 * One commit (200), or stored and waiting for git (202: `status: "pending"`). Each attempt carries its own
 * Idempotency-Key, so the server counts a request repeated on the way once.
 */
export function useWriteMemory() {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (input: MemoryWriteInput): Promise<MemoryWriteResult> =>
      unwrap(
        await api.PUT("/memory/file", {
          params: { header: { "idempotency-key": crypto.randomUUID() } },
          body: { path: input.path, content: input.content, message: input.message || undefined },
        }),
      ),
    // The file, its history and the directories above it (a new file adds entries) all changed; a refused write
    // (422) joins the failed writes.
    onSettled: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  }));
}

/** 400 (a path the server refuses) and 404 (no such file) are answers, not failures to retry. */
export const isClientError = (error: unknown): boolean =>
  error instanceof ApiError && error.status >= 400 && error.status < 500;

export const isMissing = (error: unknown): boolean => error instanceof ApiError && error.status === 404;

export const nameOf = (path: string): string => path.split("/").pop() ?? path;

export const isMarkdown = (path: string): boolean => /\.(md|markdown)$/i.test(path);

/**
 * A sentence for a write the server refused: a path it does not take (400 `invalid_path`, `path_too_long`,
 * `forbidden_path`), or a write git refused for good (422 `memory_write_failed`, listed under failed writes).
 */
export function pathProblem(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === "memory_write_failed") return `git refused this write: ${error.message}`;
  if (!["invalid_path", "path_too_long", "forbidden_path", "invalid_request"].includes(error.code))
    return null;
  const reason = error.message.replace(/\.$/, "");
  return `That path cannot be used: ${reason}.`;
}
