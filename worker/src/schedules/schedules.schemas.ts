import { z } from "@hono/zod-openapi";
import { NO_NUL, NO_NUL_MESSAGE, Uuid } from "../openapi/common.schemas";
import { MAX_CRON_LENGTH, MAX_PROMPT_LENGTH, MISSED_POLICIES } from "./schedule-plan";

const MAX_TITLE_LENGTH = 200;

const Prompt = z.string().trim().min(1).max(MAX_PROMPT_LENGTH).regex(NO_NUL, NO_NUL_MESSAGE).openapi({
  description: "Sent as a user message at each run",
  example: "Summarise what changed in my notes",
});
const Title = z.string().trim().max(MAX_TITLE_LENGTH).regex(NO_NUL, NO_NUL_MESSAGE);
const MissedPolicy = z.enum(MISSED_POLICIES).openapi({
  description:
    "What happens to a slot missed while the service was down: `run_once` runs the latest missed slot once, `skip` records it skipped",
});

export const CreateScheduleBody = z
  .strictObject({
    title: Title.optional(),
    prompt: Prompt,
    cron: z.string().max(MAX_CRON_LENGTH).optional().openapi({
      description: "Five fields (minute hour day month weekday) in `timeZone`; give this or `runAt`",
      example: "0 8 * * 1-5",
    }),
    runAt: z.iso.datetime({ offset: true }).optional().openapi({
      description: "A one-off time in the future (ISO 8601 with an offset); give this or `cron`",
    }),
    timeZone: z.string().min(1).max(64).openapi({ description: "IANA time zone", example: "Europe/Berlin" }),
    threadId: Uuid.nullable()
      .optional()
      .openapi({ description: "Run in this thread; absent or null: a new thread per run" }),
    missedPolicy: MissedPolicy.optional(),
  })
  .openapi("CreateSchedule", {
    example: { prompt: "Summarise what changed in my notes", cron: "0 8 * * 1-5", timeZone: "Europe/Berlin" },
  });

export const UpdateScheduleBody = z
  .strictObject({
    title: Title.optional(),
    prompt: Prompt.optional(),
    status: z.enum(["active", "paused"]).optional().openapi({ description: "Pause or resume" }),
    missedPolicy: MissedPolicy.optional(),
  })
  .openapi("UpdateSchedule");

export const ScheduleSchema = z
  .object({
    id: Uuid,
    title: z.string(),
    prompt: z.string(),
    kind: z.enum(["cron", "once"]),
    cron: z.string().nullable(),
    runAt: z.iso.datetime().nullable(),
    timeZone: z.string(),
    threadId: Uuid.nullable(),
    missedPolicy: z.enum(MISSED_POLICIES),
    status: z.enum(["active", "paused", "done"]),
    nextRunAt: z.iso
      .datetime()
      .nullable()
      .openapi({ description: "The pending slot (UTC); null when paused or done" }),
    upcoming: z.array(z.iso.datetime()).openapi({ description: "The next few slots (UTC)" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Schedule");

export const ScheduleList = z.object({ items: z.array(ScheduleSchema) }).openapi("ScheduleList");

export const ScheduleRunSchema = z
  .object({
    id: Uuid,
    slotAt: z.iso.datetime(),
    status: z.enum(["started", "running", "succeeded", "failed", "skipped"]),
    threadId: Uuid.nullable(),
    messageId: Uuid.nullable(),
    errorCode: z.string().nullable().openapi({ description: "Why it failed, e.g. `allowance_exceeded`" }),
    errorMessage: z.string().nullable(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    tokens: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Tokens its turn used, as the allowance counts them" }),
  })
  .openapi("ScheduleRun");

export const ScheduleRunList = z.object({ items: z.array(ScheduleRunSchema) }).openapi("ScheduleRunList");

export const ScheduleIdParams = z.object({ id: Uuid.openapi({ param: { name: "id", in: "path" } }) });

export const RunsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, description: "How many runs, newest first (1–100)" }),
});
