import { z } from "zod";
import {
  MAX_CRON_LENGTH,
  MAX_PROMPT_LENGTH,
  MISSED_POLICIES,
  upcomingSlots,
} from "../../schedules/schedule-plan";
import { createScheduleFor } from "../../schedules/schedule-service";
import { timingOf } from "../../schedules/schedule-timing";
import type { AgentTool } from "../tool-registry";

const Input = z
  .strictObject({
    prompt: z
      .string()
      .trim()
      .min(1)
      .max(MAX_PROMPT_LENGTH)
      .describe("What to do at each run, self-contained: it arrives as a user message at that time"),
    title: z.string().trim().max(200).optional().describe("A short name the user sees in the schedules list"),
    cron: z
      .string()
      .max(MAX_CRON_LENGTH)
      .optional()
      .describe("Five-field cron in timeZone, e.g. '0 8 * * 1-5' for weekdays at 8:00. Give this or runAt"),
    runAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("One-off time, ISO 8601 with an offset, in the future. Give this or cron"),
    timeZone: z.string().min(1).max(64).describe("The user's IANA time zone, e.g. 'Europe/Berlin'"),
    target: z
      .enum(["this_thread", "new_thread_per_run"])
      .default("this_thread")
      .describe("Run in this conversation, or open a new thread for every run"),
    missedPolicy: z
      .enum(MISSED_POLICIES)
      .optional()
      .describe("A run missed while the service was down: run once or skip"),
    confirmed: z
      .literal(true)
      .describe("True only once the user has agreed, in this conversation, to exactly this schedule"),
  })
  .refine((input) => (input.cron === undefined) !== (input.runAt === undefined), {
    message: "Give either cron or runAt",
  });

/**
 * The Grow Agent schedules work for the owner of this thread only (the tool context's user, never anything in the
 * model's input); the same checks, limits and plan allowance as `POST /api/schedules`.
 */
export const scheduleTaskTool: AgentTool<z.infer<typeof Input>> = {
  name: "schedule_task",
  description:
    "Schedule a prompt to run later on its own: at a cron's slots or once, in the user's time zone. First propose " +
    "the exact schedule (when, zone, what it will do) and call this only after the user agrees. The schedule is " +
    "created paused: tell the user to turn it on under Schedules. Each run uses tokens like a message.",
  input: Input,
  async run(ctx, input) {
    const now = new Date();
    const row = await createScheduleFor(
      ctx.db,
      ctx.userId,
      {
        prompt: input.prompt,
        title: input.title,
        cron: input.cron,
        runAt: input.runAt === undefined ? undefined : new Date(input.runAt),
        timeZone: input.timeZone,
        threadId: input.target === "this_thread" ? ctx.threadId : null,
        missedPolicy: input.missedPolicy,
        // `confirmed` is the model's word, and the model reads untrusted text (tool results, sub-agents): the
        // schedule runs only once the user turns it on under Schedules.
        status: "paused",
      },
      now,
    );
    ctx.schedulesChanged();
    const zone = (iso: Date) =>
      iso.toLocaleString("en-US", { timeZone: row.timeZone, dateStyle: "full", timeStyle: "short" });
    const next = row.nextRunAt ? [row.nextRunAt, ...upcomingSlots(timingOf(row), row.nextRunAt, 2)] : [];
    return {
      scheduleId: row.id,
      status: row.status,
      timeZone: row.timeZone,
      nextRuns: next.map((slot) => ({ at: slot.toISOString(), local: zone(slot) })),
    };
  },
};
