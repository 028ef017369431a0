import type { ScheduleRunItem } from "./chat-model";

/** The line a schedule's run shows in the thread: what happened and, for a refusal, why. */
export function describeScheduleRun(run: Pick<ScheduleRunItem, "status" | "code" | "message">): string {
  switch (run.status) {
    case "started":
      return "Scheduled run started";
    case "skipped":
      return "Scheduled run skipped: its time passed while the service was down";
    case "failed": {
      const reason = run.message?.trim() || run.code?.replaceAll("_", " ") || "no reason given";
      return `Scheduled run failed: ${reason}`;
    }
  }
}
