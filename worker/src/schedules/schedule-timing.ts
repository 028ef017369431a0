import type { ScheduleTiming } from "./schedule-plan";
import type { ScheduleRow } from "./schedules.repository";

/** A stored schedule's timing, as schedule-plan.ts takes it (the table's check keeps cron/run_at present). */
export function timingOf(row: Pick<ScheduleRow, "kind" | "cron" | "runAt" | "timeZone">): ScheduleTiming {
  return row.kind === "cron"
    ? { kind: "cron", cron: row.cron ?? "", timeZone: row.timeZone }
    : { kind: "once", runAt: row.runAt ?? new Date(0), timeZone: row.timeZone };
}
