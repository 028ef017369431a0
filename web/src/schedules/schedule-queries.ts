import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import type { Accessor } from "solid-js";
import { api, unwrap } from "../api/client";
import type { components } from "../api/openapi.gen";

export type Schedule = components["schemas"]["Schedule"];
export type ScheduleRun = components["schemas"]["ScheduleRun"];
export type NewSchedule = components["schemas"]["CreateSchedule"];

export const scheduleKeys = {
  list: ["schedules"] as const,
  runs: (id: string) => ["schedules", id, "runs"] as const,
};

/** The user's schedules; polled while one is due within a minute, so its next slot and status move on. */
export const useSchedules = () =>
  useQuery(() => ({
    queryKey: scheduleKeys.list,
    queryFn: async () => unwrap(await api.GET("/schedules")).items,
    staleTime: 0,
    refetchInterval: (query: { state: { data?: Schedule[] } }) =>
      query.state.data?.some(dueSoon) ? 2_000 : false,
  }));

/** Due within a minute (or just now): worth polling for; one long overdue is not polled for ever. */
export function dueSoon(schedule: Schedule): boolean {
  if (schedule.nextRunAt === null) return false;
  const inMs = Date.parse(schedule.nextRunAt) - Date.now();
  return inMs < 60_000 && inMs > -300_000;
}

/** A schedule's runs while its list is open; polled while one runs, and while the schedule is about to run. */
export const useScheduleRuns = (schedule: Accessor<Schedule>, open: Accessor<boolean>) =>
  useQuery(() => ({
    // A change of the schedule (its slot ran, it was paused) reads the runs again.
    queryKey: [...scheduleKeys.runs(schedule().id), schedule().updatedAt],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(await api.GET("/schedules/{id}/runs", { params: { path: { id: schedule().id } } })).items,
    enabled: open(),
    staleTime: 0,
    refetchInterval: (query: { state: { data?: ScheduleRun[] } }) =>
      query.state.data?.some((r) => r.status === "started" || r.status === "running") || dueSoon(schedule())
        ? 2_000
        : false,
  }));

function useScheduleMutation<Input>(run: (input: Input) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation(() => ({
    mutationFn: run,
    onSettled: () => client.invalidateQueries({ queryKey: scheduleKeys.list }),
  }));
}

export const useCreateSchedule = () =>
  useScheduleMutation(async (body: NewSchedule) => unwrap(await api.POST("/schedules", { body })));

export const useSetPaused = () =>
  useScheduleMutation(async (input: { id: string; paused: boolean }) =>
    unwrap(
      await api.PATCH("/schedules/{id}", {
        params: { path: { id: input.id } },
        body: { status: input.paused ? "paused" : "active" },
      }),
    ),
  );

export const useDeleteSchedule = () =>
  useScheduleMutation(async (id: string) =>
    unwrap(await api.DELETE("/schedules/{id}", { params: { path: { id } } })),
  );

/** The reader's own zone: what the form proposes and what times are shown in. */
export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** "Mon 7 Dec, 08:00" in `zone` (the user's, by default). */
export function slotLabel(iso: string, zone = browserZone()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

const RUN_LABELS: Record<string, string> = {
  started: "Starting",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  skipped: "Skipped",
};
export const runLabel = (status: string) => RUN_LABELS[status] ?? status;
