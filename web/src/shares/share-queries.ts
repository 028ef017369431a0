import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import type { Accessor } from "solid-js";
import { api, unwrap } from "../api/client";
import type { components } from "../api/openapi.gen";

export type CreatedShare = components["schemas"]["CreatedShare"];

const shareKeys = { of: (threadId: string) => ["threads", threadId, "shares"] as const };

/** The thread's links, newest first (the owner's view: statuses, never tokens). */
export const useShares = (threadId: Accessor<string>, enabled: Accessor<boolean>) =>
  useQuery(() => ({
    queryKey: shareKeys.of(threadId()),
    queryFn: async () =>
      unwrap(await api.GET("/threads/{id}/shares", { params: { path: { id: threadId() } } })).items,
    enabled: enabled(),
  }));

export function useCreateShare(threadId: Accessor<string>) {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (expiresInSeconds: number | null) =>
      unwrap(
        await api.POST("/threads/{id}/shares", {
          params: { path: { id: threadId() } },
          body: expiresInSeconds ? { expiresInSeconds } : {},
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: shareKeys.of(threadId()) }),
  }));
}

export function useRevokeShare(threadId: Accessor<string>) {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (shareId: string) =>
      unwrap(
        await api.DELETE("/threads/{id}/shares/{shareId}", {
          params: { path: { id: threadId(), shareId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: shareKeys.of(threadId()) }),
  }));
}

/** The link as the owner copies it: the SPA's page for it on this origin. */
export const shareUrl = (created: Pick<CreatedShare, "path">) => `${window.location.origin}${created.path}`;
