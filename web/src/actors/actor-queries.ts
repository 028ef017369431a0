import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { api, unwrap } from "../api/client";

import { type Actor, isWorking, ordered } from "./actor-status";

export type { Actor } from "./actor-status";

export const actorKeys = { list: ["actors"] as const };

export const useActors = () =>
  useQuery(() => ({
    queryKey: actorKeys.list,
    queryFn: async () => ordered(unwrap(await api.GET("/actors")).items),
    staleTime: 0,
    refetchInterval: (query: { state: { data?: Actor[] } }) =>
      query.state.data?.some(isWorking) ? 2_000 : false,
  }));

/** Stops a sub-agent for good (its run is cancelled and its actor destroyed); the server answers it stopped. */
export function useStopActor() {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/actors/{id}/stop", { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: actorKeys.list }),
  }));
}
