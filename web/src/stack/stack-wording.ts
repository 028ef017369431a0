import type { components } from "../api/openapi.gen";

type Stack = components["schemas"]["Stack"];
type StackEvent = components["schemas"]["StackEvent"];
export type StackStatus = Stack["status"];

/** The stack's status in words a user understands (the API's are the lifecycle's). */
const STATUS_WORDS: Record<StackStatus, string> = {
  none: "Not set up yet: it starts the first time a sub-agent needs it",
  creating: "Setting up your machines…",
  starting: "Starting…",
  ready: "Running",
  suspending: "Going to sleep…",
  suspended: "Asleep: it wakes when a sub-agent needs it",
  failed: "Could not start",
};

export const stackStatusWords = (status: StackStatus): string => STATUS_WORDS[status] ?? status;

/** A wake, suspend or failure is under way: worth watching closely. */
export const stackMoving = (status: StackStatus | undefined): boolean =>
  status === "creating" || status === "starting" || status === "suspending";

/** The stages of a wake, in order, as shown while a sandbox starts. */
const STAGES = [
  { type: "stack.creating", label: "Creating machines" },
  { type: "stack.starting", label: "Starting" },
  { type: "stack.health_ok", label: "Health checks" },
  { type: "stack.ready", label: "Ready" },
] as const;

export interface WakeStage {
  label: string;
  /** Seconds from the start of the wake to when this stage began; null until it has. */
  at: number | null;
}

export interface WakeProgress {
  stages: WakeStage[];
  /** The stage under way (the last one begun), or null once ready or failed. */
  current: string | null;
  /** Seconds since the wake began, to `now` (or to its end once ready or failed). */
  elapsed: number;
  failed: string | null;
  /** When the wake began (epoch ms). */
  startedAt: number;
}

const seconds = (from: string, to: number) => Math.max(0, Math.round((to - Date.parse(from)) / 1000));

/**
 * The latest wake in a stack's progress events (GET /stack `events`): each stage with the second it began at,
 * counted from the wake's first event. Null when the events hold no wake.
 */
export function wakeProgress(events: readonly StackEvent[], now: number): WakeProgress | null {
  let start = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    const type = events[i]?.type;
    if (type === "stack.creating" || type === "stack.starting") start = i;
    // The wake began at the earliest of its creating / starting events after the last rest.
    else if (start >= 0) break;
  }
  const first = events[start];
  if (!first) return null;
  const wake = events.slice(start);
  const begun = (type: string) => wake.find((event) => event.type === type);
  const stages = STAGES.filter((stage) => stage.type !== "stack.creating" || begun("stack.creating")).map(
    (stage) => {
      const event = begun(stage.type);
      return { label: stage.label, at: event ? seconds(first.at, Date.parse(event.at)) : null };
    },
  );
  const end = wake.find((event) => event.type === "stack.ready" || event.type === "stack.failed");
  const reason = end?.type === "stack.failed" ? end.data.reason : undefined;
  return {
    stages,
    current: end ? null : ([...stages].reverse().find((stage) => stage.at !== null)?.label ?? null),
    elapsed: seconds(first.at, end ? Date.parse(end.at) : now),
    failed:
      end?.type === "stack.failed" ? (typeof reason === "string" ? reason : "the sandbox failed") : null,
    startedAt: Date.parse(first.at),
  };
}
