import { z } from "@hono/zod-openapi";
import { STACK_EVENT_TYPES, STACK_ROLES, STACK_STATUSES } from "../../../provisioner/src/stack/stack-record";

const MachineRef = z.object({ machineId: z.string().optional(), volumeId: z.string().optional() });

export const StackEventSchema = z
  .object({
    seq: z.number().int(),
    type: z.enum(STACK_EVENT_TYPES),
    at: z.iso.datetime(),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  })
  .openapi("StackEvent");

export const StackSchema = z
  .object({
    status: z.enum(STACK_STATUSES).openapi({
      description: "none → creating → starting → ready → suspending → suspended; failed (lastError says why)",
    }),
    app: z.string(),
    region: z.string(),
    machines: z.object({ opencode: MachineRef.optional(), gitea: MachineRef.optional() }),
    up: z.array(z.enum(STACK_ROLES)).openapi({
      description:
        "Machines that are up: both when ready, only `gitea` after memory woke the stack (the sandbox sleeps on)",
    }),
    lastError: z.string().nullable(),
    lastActiveAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    events: z.array(StackEventSchema).openapi({ description: "Progress events after `after`, oldest first" }),
    lastSeq: z.number().int().openapi({ description: "Pass as `after` to get only newer events" }),
  })
  .openapi("Stack");

export const StackQuery = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ param: { name: "after", in: "query" }, description: "Only events with a greater seq" }),
});
