import { useNavigate } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import type { Accessor } from "solid-js";
import { ApiError, api, unwrap } from "../api/client";
import type { components } from "../api/openapi.gen";

export type Thread = components["schemas"]["Thread"];

export const threadKeys = {
  list: ["threads"] as const,
  one: (id: string) => ["threads", id] as const,
};

/** The user's threads, newest first (the first 100; the sidebar shows them all). */
export const useThreads = () =>
  useQuery(() => ({
    queryKey: threadKeys.list,
    queryFn: async () => unwrap(await api.GET("/threads", { params: { query: { limit: 100 } } })).items,
  }));

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

/** Creates an untitled thread and opens it: the "new thread" button of the sidebar and of the home page. */
export function useStartThread() {
  const create = useCreateThread();
  const navigate = useNavigate();
  const start = async () => {
    const thread = await create.mutateAsync("").catch(() => null);
    if (thread) navigate(`/threads/${thread.id}`);
  };
  return { create, start };
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
    onSuccess: (id: string) => {
      client.setQueryData(threadKeys.list, (list: Thread[] | undefined) => list?.filter((t) => t.id !== id));
      client.removeQueries({ queryKey: threadKeys.one(id) });
    },
  }));
}

export const threadTitle = (thread: Pick<Thread, "title"> | undefined) =>
  thread?.title.trim() || "Untitled thread";

/** A 404: the thread was deleted or is someone else's (the API does not tell them apart). */
export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;
