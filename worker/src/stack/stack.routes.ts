import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import type { Logger } from "../../../platform/logger";
import type { StackView } from "../../../provisioner/src/stack/stack-record";
import { entitlements } from "../billing/entitlements";
import type { AppEnv } from "../env";
import { authenticatedErrors, ErrorSchema } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { ensureStackWithinPlan, TooManyStackStartsError } from "./admit-stack-start";
import { StackQuery, StackSchema } from "./stack.schemas";

const security = [{ bearerAuth: [] }];
const tags = ["stack"];
const stackJson = (description: string) => ({
  description,
  content: { "application/json": { schema: StackSchema } },
});

const routes = {
  get: createRoute({
    method: "get",
    path: "/",
    tags,
    security,
    summary: "Your stack (OpenCode sandbox and Gitea) and its progress events; never wakes it",
    request: { query: StackQuery },
    responses: { 200: stackJson("Your stack"), ...authenticatedErrors },
  }),
  wake: createRoute({
    method: "post",
    path: "/wake",
    tags,
    security,
    summary: "Create or wake your stack and wait until it is healthy",
    description:
      "Answers at once when the stack is ready. Otherwise creates or wakes it and answers when it is healthy (typically seconds; up to the provisioner's health timeout). Poll `GET /api/stack?after=` meanwhile for progress events. A stack that failed answers 503 `stack_failed` with the reason. Creating or waking is refused with 402 `allowance_exceeded` once the plan's tokens are used up, and with 429 `too_many_stack_starts` (with `Retry-After`) past the plan's bring-ups per hour.",
    responses: {
      200: stackJson("Your stack, ready"),
      402: {
        description: "The plan's tokens are used up: no new machines until it renews or is upgraded",
        content: { "application/json": { schema: ErrorSchema } },
      },
      ...authenticatedErrors,
    },
  }),
  suspend: createRoute({
    method: "post",
    path: "/suspend",
    tags,
    security,
    summary: "Suspend your stack now (it also suspends itself when idle); the next wake resumes it",
    responses: {
      200: stackJson("Your stack, suspended (or as it was, if it was not ready)"),
      ...authenticatedErrors,
    },
  }),
  ping: createRoute({
    method: "get",
    path: "/ping",
    tags,
    security,
    summary:
      "One round trip to your stack's Durable Object, doing nothing (diagnostics; the benchmark's baseline)",
    responses: {
      200: {
        description: "pong",
        content: { "application/json": { schema: z.object({ pong: z.literal(true) }) } },
      },
      ...authenticatedErrors,
    },
  }),
};

/** What a browser may see of the provisioner's view (the edge URL is of no use without backend credentials). */
function publicStack({ edgeUrl: _, ...view }: StackView): z.infer<typeof StackSchema> {
  return view;
}

/** The provisioner is a dependency: its outage is a 503, not a crash. */
async function callProvisioner<T>(log: Logger, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    log.error("provisioner call failed", { error });
    throw new ApiError("provisioner_unavailable", "The provisioner is unavailable; try again shortly");
  }
}

export const stackRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(routes.get, async (c) => {
    const { after } = c.req.valid("query");
    const view = await callProvisioner(c.var.log, () =>
      c.env.PROVISIONER.stackStatus(c.var.user.id, after ?? 0),
    );
    return c.json(publicStack(view), 200);
  })
  .openapi(routes.wake, async (c) => {
    const userId = c.var.user.id;
    // Before anything starts: the plan decides whether this user may bring machines up now (admit-stack-start.ts,
    // which a sub-agent's run asks too).
    const view = await ensureStackWithinPlan({
      ensureStack: (startAllowed) =>
        callProvisioner(c.var.log, () => c.env.PROVISIONER.ensureStack(userId, { startAllowed })),
      entitlements: () => entitlements(c.var.db, userId),
    }).catch((error: unknown) => {
      if (error instanceof TooManyStackStartsError)
        c.var.log.warn("stack start refused", { startsInWindow: error.startsInWindow });
      throw error;
    });
    if (view.status !== "ready") {
      c.var.log.warn("stack not ready", { status: view.status, reason: view.lastError });
      throw new ApiError("stack_failed", view.lastError ?? `Stack is ${view.status}`);
    }
    return c.json(publicStack(view), 200);
  })
  .openapi(routes.suspend, async (c) => {
    const view = await callProvisioner(c.var.log, () => c.env.PROVISIONER.suspendStack(c.var.user.id));
    return c.json(publicStack(view), 200);
  })
  .openapi(routes.ping, async (c) => {
    await callProvisioner(c.var.log, () => c.env.PROVISIONER.ping(c.var.user.id));
    return c.json({ pong: true as const }, 200);
  });
