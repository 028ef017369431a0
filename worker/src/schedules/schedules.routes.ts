import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import { authenticatedErrors, jsonBody, jsonResponse, notFound } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { runJson } from "./run-history";
import { listRunHistory } from "./schedule-runs.repository";
import { createScheduleFor, patchScheduleFor, scheduleJson, scheduleNotFound } from "./schedule-service";
import { deleteSchedule, findSchedule, listSchedules } from "./schedules.repository";
import {
  CreateScheduleBody,
  RunsQuery,
  ScheduleIdParams,
  ScheduleList,
  ScheduleRunList,
  ScheduleSchema,
  UpdateScheduleBody,
} from "./schedules.schemas";

const security = [{ bearerAuth: [] }];
const tags = ["schedules"];
const overLimit = {
  402: {
    ...authenticatedErrors[400],
    description:
      "The plan's schedule limit is reached (`too_many_schedules`); delete one or upgrade at /billing",
  },
};

const routes = {
  create: createRoute({
    method: "post",
    path: "/",
    tags,
    security,
    summary: "Schedule a prompt: at a cron's slots or once, in a time zone",
    description:
      "Each slot sends `prompt` to your Grow Agent as a user message, in `threadId` or in a new thread per run; runs are metered like any message and refused with `allowance_exceeded` when the plan's tokens are used up. Invalid cron, zone or a past `runAt` is 400 `invalid_schedule`.",
    request: { body: jsonBody(CreateScheduleBody) },
    responses: {
      201: jsonResponse(ScheduleSchema, "The new schedule"),
      ...overLimit,
      ...authenticatedErrors,
      ...notFound,
    },
  }),
  list: createRoute({
    method: "get",
    path: "/",
    tags,
    security,
    summary: "List your schedules",
    responses: { 200: jsonResponse(ScheduleList, "Your schedules, oldest first"), ...authenticatedErrors },
  }),
  get: createRoute({
    method: "get",
    path: "/{id}",
    tags,
    security,
    summary: "Get a schedule",
    request: { params: ScheduleIdParams },
    responses: { 200: jsonResponse(ScheduleSchema, "The schedule"), ...authenticatedErrors, ...notFound },
  }),
  update: createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    security,
    summary: "Pause, resume or edit a schedule",
    description: "Resuming starts from the next slot after now: slots that fell while paused do not run.",
    request: { params: ScheduleIdParams, body: jsonBody(UpdateScheduleBody) },
    responses: { 200: jsonResponse(ScheduleSchema, "The schedule"), ...authenticatedErrors, ...notFound },
  }),
  delete: createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    security,
    summary: "Delete a schedule and its run history",
    request: { params: ScheduleIdParams },
    responses: { 204: { description: "Deleted" }, ...authenticatedErrors, ...notFound },
  }),
  runs: createRoute({
    method: "get",
    path: "/{id}/runs",
    tags,
    security,
    summary: "A schedule's runs, newest first",
    request: { params: ScheduleIdParams, query: RunsQuery },
    responses: { 200: jsonResponse(ScheduleRunList, "Its runs"), ...authenticatedErrors, ...notFound },
  }),
};

/** The schedules resource; a change pokes the user's growAgent, which re-arms its alarm for the earliest slot. */
export function scheduleRoutes(actorsClient: ActorsClient | undefined) {
  const rearm = (c: {
    env: AppEnv["Bindings"];
    var: AppEnv["Variables"];
    executionCtx: { waitUntil(work: Promise<unknown>): void };
  }) =>
    c.executionCtx.waitUntil(
      Promise.resolve()
        .then(() => userActors(actorsClient, c.env, c.var.user.id).growAgent())
        .then((agent) => agent.runSchedules())
        .catch((error) => c.var.log.warn("could not re-arm the agent's schedules", { error })),
    );

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(routes.create, async (c) => {
      const body = c.req.valid("json");
      const row = await createScheduleFor(
        c.var.db,
        c.var.user.id,
        { ...body, runAt: body.runAt === undefined ? undefined : new Date(body.runAt) },
        new Date(),
      );
      rearm(c);
      return c.json(scheduleJson(row, new Date()), 201);
    })
    .openapi(routes.list, async (c) => {
      const now = new Date();
      const rows = await listSchedules(c.var.db, c.var.user.id);
      return c.json({ items: rows.map((row) => scheduleJson(row, now)) }, 200);
    })
    .openapi(routes.get, async (c) => {
      const row = await findSchedule(c.var.db, c.var.user.id, c.req.valid("param").id);
      if (!row) throw scheduleNotFound();
      return c.json(scheduleJson(row, new Date()), 200);
    })
    .openapi(routes.update, async (c) => {
      const row = await patchScheduleFor(
        c.var.db,
        c.var.user.id,
        c.req.valid("param").id,
        c.req.valid("json"),
        new Date(),
      );
      rearm(c);
      return c.json(scheduleJson(row, new Date()), 200);
    })
    .openapi(routes.delete, async (c) => {
      if (!(await deleteSchedule(c.var.db, c.var.user.id, c.req.valid("param").id))) throw scheduleNotFound();
      return c.body(null, 204);
    })
    .openapi(routes.runs, async (c) => {
      const { id } = c.req.valid("param");
      if (!(await findSchedule(c.var.db, c.var.user.id, id))) throw scheduleNotFound();
      const rows = await listRunHistory(c.var.db, c.var.user.id, id, c.req.valid("query").limit);
      return c.json({ items: rows.map(runJson) }, 200);
    });
}
