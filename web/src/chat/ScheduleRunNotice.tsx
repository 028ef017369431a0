import { A } from "@solidjs/router";
import type { ScheduleRunItem } from "./chat-model";
import { describeScheduleRun } from "./schedule-run-wording";
import { MessageTime } from "./TurnView";
import "./schedule-run.css";

/** A schedule's run in the thread: one quiet line (a failure stands out), its slot's time, and the way to the schedules. */
export function ScheduleRunNotice(props: { run: ScheduleRunItem }) {
  return (
    <li class="message schedule-run" data-testid="schedule-run" data-status={props.run.status}>
      <p class="schedule-run-line">
        <span>{describeScheduleRun(props.run)}</span>
        {" · "}
        <MessageTime at={props.run.slotAt} />
        {" · "}
        <A href="/schedules">Schedules</A>
      </p>
    </li>
  );
}
