import { useNavigate } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { type Accessor, createSignal } from "solid-js";
import { ApiError, api, unwrap } from "../api/client";
import type { components } from "../api/openapi.gen";
import { forgetThread, threadKeys } from "./thread-cache";

export type Thread = components["schemas"]["Thread"];

export { threadKeys };

const threadList = {
  queryKey: threadKeys.list,
  queryFn: async () => unwrap(await api.GET("/threads", { params: { query: { limit: 100 } } })).items,
};

/** The user's threads, newest first (the first 100; the sidebar shows them all). */
export const useThreads = () => useQuery(() => threadList);

export const useThread = (id: Accessor<string>) =>
  useQuery(() => ({
    queryKey: threadKeys.one(id()),
    queryFn: async () => unwrap(await api.GET("/threads/{id}", { params: { path: { id: id() } } })),
    retry: (count: number, error: Error) => count < 2 && !isNotFound(error),
  }));

export const useModelInfo = () =>
  useQuery(() => ({
    queryKey: ["agent"],
    queryFn: async () => unwrap(await api.GET("/agent")),
    staleTime: 5 * 60_000,
  }));

export function useCreateThread() {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (title: string) => unwrap(await api.POST("/threads", { body: title ? { title } : {} })),
    onSuccess: (thread: Thread) => {
      client.setQueryData(threadKeys.list, (list: Thread[] | undefined) => [thread, ...(list ?? [])]);
      client.setQueryData(threadKeys.one(thread.id), thread);
    },
  }));
}

/** Untitled and without a single event: what "New thread" would make again. */
const isEmptyThread = (thread: Thread) => !thread.title.trim() && thread.lastSeq === 0;

/**
 * Opens a new thread: the "new thread" button of the sidebar and of the home page. An untitled thread with nothing
 * in it yet is reused rather than joined by another (checked afresh: the cached list may predate its first message).
 */
export function useStartThread() {
  const create = useCreateThread();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [reusing, setReusing] = createSignal(false);

  const emptyThread = async (): Promise<Thread | null> => {
    // The list itself, fetched if a click comes before it loaded (right after opening the page).
    const candidate = (await client.ensureQueryData(threadList)).find(isEmptyThread);
    if (!candidate) return null;
    const { data } = await api.GET("/threads/{id}", { params: { path: { id: candidate.id } } });
    if (!data) return null;
    client.setQueryData(threadKeys.one(data.id), data);
    client.setQueryData(threadKeys.list, (list: Thread[] | undefined) =>
      list?.map((t) => (t.id === data.id ? data : t)),
    );
    return isEmptyThread(data) ? data : null;
  };

  const start = async () => {
    setReusing(true);
    const empty = await emptyThread()
      .catch(() => null)
      .finally(() => setReusing(false));
    const thread = empty ?? (await create.mutateAsync("").catch(() => null));
    if (thread) navigate(`/threads/${thread.id}`);
  };
  const starting = () => reusing() || create.isPending;
  return { create, start, starting };
}

export function useRenameThread() {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (input: { id: string; title: string }) =>
      unwrap(
        await api.PATCH("/threads/{id}", {
          params: { path: { id: input.id } },
          body: { title: input.title },
        }),
      ),
    onSuccess: (thread: Thread) => {
      client.setQueryData(threadKeys.list, (list: Thread[] | undefined) =>
        list?.map((t) => (t.id === thread.id ? thread : t)),
      );
      client.setQueryData(threadKeys.one(thread.id), thread);
    },
  }));
}

export function useDeleteThread() {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (id: string) => {
      unwrap(await api.DELETE("/threads/{id}", { params: { path: { id } } }));
      return id;
    },
    onSuccess: (id: string) => forgetThread(client, id),
  }));
}

export const threadTitle = (thread: Pick<Thread, "title"> | undefined) =>
  thread?.title.trim() || "Untitled thread";

/** A 404: the thread was deleted or is someone else's (the API does not tell them apart). */
export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;
