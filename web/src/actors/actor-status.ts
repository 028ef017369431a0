import type { components } from "../api/openapi.gen";

export type Actor = components["schemas"]["Actor"];

/** A sub-agent whose task is still going: the list is re-read while there is one. */
export const isWorking = (actor: Actor): boolean =>
  actor.status !== "destroyed" && ["starting", "running", "idle"].includes(actor.subAgent?.status ?? "");

const ACTOR_STATUS: Record<Actor["status"], string> = {
  creating: "Starting",
  active: "Active",
  sleeping: "Sleeping",
  destroyed: "Stopped",
};
export const actorStatusLabel = (status: Actor["status"]): string => ACTOR_STATUS[status] ?? status;

const TASK_STATUS: Record<string, string> = {
  starting: "starting",
  running: "running",
  idle: "finishing",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};
export const taskStatusLabel = (status: string): string => TASK_STATUS[status] ?? status;

/** The Grow Agent first (there is one), then sub-agents as the server orders them (most recently active first). */
export const ordered = (actors: readonly Actor[]): Actor[] => [
  ...actors.filter((a) => a.type === "growAgent"),
  ...actors.filter((a) => a.type !== "growAgent"),
];
