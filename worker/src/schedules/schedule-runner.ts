import { UserError } from "rivetkit/errors";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { entitlements } from "../billing/entitlements";
import { planOf } from "../billing/plans";
import { createThread } from "../threads/threads.repository";
import { decideDue, slotKey } from "./schedule-plan";
import { timingOf } from "./schedule-timing";
import {
  advanceSchedule,
  claimRun,
  countRunsSince,
  dueSchedules,
  earliestSlot,
  type RunRow,
  type ScheduleRow,
  updateRun,
} from "./schedules.repository";

const DAY_MS = 24 * 3_600_000;
/** After a run that could not be settled (database away), the alarm comes back this much later, not at once. */
const RETRY_MS = 30_000;
/** An alarm never fires sooner than this after arming: a slot that is due now runs on the next wake. */
const MIN_ARM_MS = 200;

type ScheduleRunData = {
  scheduleId: string;
  runId: string;
  slotAt: string;
  status: "started" | "failed" | "skipped";
  code?: string;
  message?: string;
};

export interface ScheduleRunnerDeps {
  db(): Database;
  userId: string;
  now(): Date;
  /** The Grow Agent's own send path (intake, idempotency, the plan's allowance, metering). */
  sendMessage(
    threadId: string,
    text: string,
    options: { idempotencyKey: string },
  ): Promise<{ messageId: string }>;
  emit(threadId: string, type: "schedule.run", data: ScheduleRunData): Promise<unknown>;
  /** Sets the actor's alarm (a Durable Object alarm: survives restarts) to call `runDue` at `at`. */
  armAt(at: Date): void;
  log: Logger;
}

/**
 * Carries out the user's schedules from the growAgent's own alarm (no global polling): runs each due slot once,
 * then arms the alarm for the earliest pending slot. The decisions are schedule-plan.ts's; exactly-once rests on
 * the slot's run row (unique per schedule and slot) and the message's idempotency key (unique per thread).
 */
export class ScheduleRunner {
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ScheduleRunnerDeps) {}

  /** Runs what is due and re-arms; calls are serialised, so an alarm and a poke never claim a slot together. */
  runDue(): Promise<void> {
    const next = this.#chain.then(() =>
      this.#runDue().catch((error) => {
        // RivetKit does not retry a failed alarm: without this one, a database blip at the slot would stop the
        // user's schedules until their next visit.
        this.deps.armAt(new Date(this.deps.now().getTime() + RETRY_MS));
        throw error;
      }),
    );
    this.#chain = next.catch(() => {});
    return next;
  }

  async #runDue(): Promise<void> {
    const { deps } = this;
    const now = deps.now();
    // One query on the common path (every wake of every user's agent): nothing is due.
    const first = await earliestSlot(deps.db(), deps.userId);
    if (!first) return;
    if (first.getTime() > now.getTime()) return deps.armAt(first);
    let unsettled = false;
    const due = await dueSchedules(deps.db(), deps.userId, now);
    // A restart in the middle of a run must still wake the actor to finish it (under the slot's key, so once).
    if (due.length > 0) deps.armAt(new Date(now.getTime() + RETRY_MS));
    for (const schedule of due) {
      try {
        await this.#handle(schedule, now);
      } catch (error) {
        unsettled = true;
        deps.log.warn("scheduled run could not be settled; retried on the next alarm", {
          scheduleId: schedule.id,
          error,
        });
      }
    }
    const earliest = await earliestSlot(deps.db(), deps.userId);
    const floor = now.getTime() + (unsettled ? RETRY_MS : MIN_ARM_MS);
    if (earliest) deps.armAt(new Date(Math.max(earliest.getTime(), floor)));
  }

  async #handle(schedule: ScheduleRow, now: Date): Promise<void> {
    const { deps } = this;
    if (!schedule.nextRunAt) return;
    const decision = decideDue(timingOf(schedule), schedule.nextRunAt, now, schedule.missedPolicy);
    if (decision.kind === "wait") return;
    const db = deps.db();
    if (decision.kind === "skip") {
      const { run, fresh } = await claimRun(db, {
        scheduleId: schedule.id,
        userId: deps.userId,
        slotAt: decision.slot,
        status: "skipped",
      });
      if (fresh) {
        await updateRun(db, run.id, {
          finishedAt: now,
          errorCode: "missed",
          errorMessage: "Missed while down",
        });
        if (schedule.threadId)
          await this.#emit(schedule.threadId, run, "skipped", "missed", "Missed while down");
      }
      await advanceSchedule(db, schedule, decision.next);
      return;
    }
    const { run, fresh } = await claimRun(db, {
      scheduleId: schedule.id,
      userId: deps.userId,
      slotAt: decision.slot,
    });
    if (run.status === "started") await this.#send(schedule, run, fresh, now);
    await advanceSchedule(db, schedule, decision.next);
  }

  /** Sends the slot's prompt, or finishes the send a restart cut short (the idempotency key makes it once). */
  async #send(schedule: ScheduleRow, run: RunRow, fresh: boolean, now: Date): Promise<void> {
    const { deps } = this;
    const db = deps.db();
    if (fresh) {
      const plan = planOf((await entitlements(db, deps.userId)).plan);
      // Before a thread is made for the run: a refused run costs its row and nothing more. Its own row counts.
      if (
        (await countRunsSince(db, deps.userId, new Date(now.getTime() - DAY_MS))) > plan.scheduleRunsPerDay
      ) {
        const message = `The ${plan.name} plan runs at most ${plan.scheduleRunsPerDay} scheduled prompts a day; upgrade at /billing.`;
        await this.#fail(run.threadId ?? schedule.threadId, run, "schedule_runs_exhausted", message, now);
        return;
      }
    }
    let threadId = run.threadId ?? schedule.threadId;
    if (!threadId) {
      const title = (schedule.title || schedule.prompt).slice(0, 80);
      threadId = (await createThread(db, deps.userId, `${title} · ${run.slotAt.toISOString().slice(0, 16)}`))
        .id;
    }
    if (run.threadId !== threadId) await updateRun(db, run.id, { threadId });
    if (fresh) await this.#emit(threadId, run, "started");
    try {
      const sent = await deps.sendMessage(threadId, schedule.prompt, {
        idempotencyKey: slotKey(schedule.id, run.slotAt),
      });
      await updateRun(db, run.id, { status: "sent", messageId: sent.messageId });
    } catch (error) {
      // A refusal (the plan's allowance, a thread deleted meanwhile) is this run's outcome; anything else is
      // transient and the next alarm tries again under the same key.
      if (!(error instanceof UserError)) throw error;
      await this.#fail(threadId, run, error.code, error.message, now);
    }
  }

  /** `threadId` null: the run would have opened a thread of its own, and none was made. */
  async #fail(threadId: string | null, run: RunRow, code: string, message: string, now: Date): Promise<void> {
    await updateRun(this.deps.db(), run.id, {
      status: "failed",
      errorCode: code,
      errorMessage: message.slice(0, 1_000),
      finishedAt: now,
    });
    if (threadId) await this.#emit(threadId, run, "failed", code, message).catch(() => {});
  }

  #emit(threadId: string, run: RunRow, status: ScheduleRunData["status"], code?: string, message?: string) {
    return this.deps.emit(threadId, "schedule.run", {
      scheduleId: run.scheduleId,
      runId: run.id,
      slotAt: run.slotAt.toISOString(),
      status,
      ...(code ? { code, message } : {}),
    });
  }
}
