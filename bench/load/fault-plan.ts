import type { FaultPlan } from "./faults";
import type { LoadSettings } from "./load-settings";

/** The faults a load run injects (LOAD_FAULTS), each at its time from the start of the measured window. */
export function faultPlan(settings: Pick<LoadSettings, "faults" | "reloads" | "durationMs">): FaultPlan {
  switch (settings.faults) {
    case "all":
      return defaultFaultPlan(settings.durationMs);
    case "reload":
      return reloadPlan(settings.reloads, settings.durationMs);
    case "none":
      return [];
  }
}

/** Faults spread over the run, each over before the next starts. */
function defaultFaultPlan(durationMs: number): FaultPlan {
  const at = (share: number) => Math.round(durationMs * share);
  return [
    { atMs: at(0.05), kind: "fly-errors" },
    { atMs: at(0.12), kind: "git-down", forMs: 5_000 },
    { atMs: at(0.3), kind: "database-down", forMs: 3_000 },
    { atMs: at(0.45), kind: "kill-opencode" },
    { atMs: at(0.6), kind: "restart-workers" },
  ];
}

/**
 * `count` reloads evenly spaced inside the window, the last one a spacing before its end, so that the turns it cuts
 * are recovered while users still send. Even spacing is enough to hit turns at every stage: with a few users sending
 * at once, some are between the acknowledgement and the answer at any moment (the case of reliability.md, item 7).
 */
function reloadPlan(count: number, durationMs: number): FaultPlan {
  return Array.from({ length: count }, (_, i) => ({
    atMs: Math.round((durationMs * (i + 1)) / (count + 1)),
    kind: "reload-workers" as const,
  }));
}
