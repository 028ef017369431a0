import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { api, unwrap } from "../api/client";
import type { components } from "../api/openapi.gen";

export type SubAgent = components["schemas"]["SubAgent"];

export const subAgentKeys = { list: ["subagents"] as const };

/** Still working: the list is polled while any is. */
export const isActive = (status: string): boolean =>
  status === "starting" || status === "running" || status === "idle";

export const STATUS_LABELS: Record<string, string> = {
  spawned: "Starting",
  starting: "Starting",
  waking: "Waking the sandbox",
  running: "Running",
  idle: "Finishing",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const statusLabel = (status: string): string => STATUS_LABELS[status] ?? status;

/** The user's sub-agents, newest first; polled every 2 s while one is still working. */
export const useSubAgents = () =>
  useQuery(() => ({
    queryKey: subAgentKeys.list,
    queryFn: async () => unwrap(await api.GET("/subagents")).items,
    staleTime: 0,
    refetchInterval: (query: { state: { data?: SubAgent[] } }) =>
      query.state.data?.some((s) => isActive(s.status)) ? 2_000 : false,
  }));

export async function cancelSubAgent(id: string): Promise<boolean> {
  return unwrap(await api.POST("/subagents/{id}/cancel", { params: { path: { id } } })).cancelled;
}

export function useCancelSubAgent() {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: cancelSubAgent,
    onSettled: () => client.invalidateQueries({ queryKey: subAgentKeys.list }),
  }));
}
