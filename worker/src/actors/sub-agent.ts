import { env } from "cloudflare:workers";
import { actor, type Client } from "rivetkit";
import { UserError } from "rivetkit/errors";
import { createLogger } from "../../../platform/logger";
import type { Env } from "../env";
import {
  initialState,
  type SubAgentInput,
  type SubAgentState,
  type SubAgentStatus,
} from "../subagents/sub-agent-lifecycle";
import { SubAgentRun } from "../subagents/sub-agent-run";
import { toActorError } from "./actor-errors";
import { growAgentKey } from "./actor-keys";
import { assertCaller, assertInternalCaller, type ConnParams } from "./connection-auth";
import { internalParams } from "./internal-auth";
import { admitAndList, mirrorLifecycle } from "./mirror-lifecycle";
import type { Registry } from "./registry";

const TYPE = "subAgent";
const log = createLogger({ service: "sub-agent" });

/**
 * One unit of delegated work (key: [userId, subAgentId]; the id is its `opencode_sessions` row): wakes the user's
 * sandbox, runs the task as an OpenCode session and relays what happens to the Grow Agent, which logs and
 * broadcasts it on the thread and gets the result back as its tool result. The logic lives in SubAgentRun
 * (subagents/sub-agent-run.ts, decisions in sub-agent-lifecycle.ts); this wires it to RivetKit.
 */
export const subAgent = actor({
  // Built at creation (createState, not onCreate), so it is in the first write of the actor's data: RivetKit
  // otherwise saves state at most once a second, and a Durable Object restarted within that second loses it.
  createState: (_c, input: SubAgentInput | undefined): SubAgentState => initialState(input, Date.now()),
  createVars: () => ({ controller: undefined as AbortController | undefined }),
  createConnState: (c, params: ConnParams) =>
    admitAndList(env as Env, { type: TYPE, key: c.key, actorId: c.actorId, state: c.state }, params),
  // Running in the state but no run in memory: the Durable Object restarted mid-task (see SubAgentRun.wake).
  onWake: (c): void => runOf(c).wake(),
  onDestroy: async (c) => {
    await mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "destroyed");
  },
  // Return types of the actions below are spelled out: inferring them through runOf(c) would make the registry's
  // type circular.
  actions: {
    describe: (c) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      return {
        actorId: c.actorId,
        subAgentId: c.key[1],
        task: c.state.task,
        status: c.state.status,
        opencodeSessionId: c.state.opencodeSessionId,
      };
    },
    /**
     * Starts the task once (idempotent); the run goes on in the background and reports to the Grow Agent. Only the
     * user's Grow Agent may start one: it reserved the `opencode_sessions` row within the plan's cap and
     * allowance, and a sub-agent without its row does not run.
     */
    start: async (c): Promise<{ started: boolean; status: SubAgentStatus }> => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      const answer = await runOf(c).start().catch(toActorError);
      if (answer === "not_reserved") {
        throw new UserError("This sub-agent was not reserved by your Grow Agent", { code: "forbidden" });
      }
      return answer;
    },
    /** Aborts the OpenCode session; the sub-agent ends as cancelled. */
    cancel: (c): { cancelled: boolean } => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      return runOf(c).cancel("Cancelled");
    },
    /** Ends the sub-agent for good: its Durable Object data is deleted and its id stops resolving. */
    stop: (c): { stopped: boolean } => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      runOf(c).cancel("Stopped");
      c.destroy();
      return { stopped: true };
    },
  },
});

/** What of an actor context the run needs (an action's and onWake's alike). */
interface SubAgentContext {
  key: string[];
  state: SubAgentState;
  vars: { controller: AbortController | undefined };
  saveState(opts: { immediate: true }): Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
  client<R extends Registry>(): Client<R>;
}

function runOf(c: SubAgentContext): SubAgentRun {
  const userId = c.key[0] ?? "";
  return new SubAgentRun({
    userId,
    subAgentId: c.key[1] ?? "",
    get state() {
      return c.state;
    },
    get controller() {
      return c.vars.controller;
    },
    set controller(controller) {
      c.vars.controller = controller;
    },
    saveState: () => c.saveState({ immediate: true }),
    waitUntil: (work) => c.waitUntil(work),
    growAgent: async () => {
      const mint = () => internalParams(env as Env, userId, "growAgent");
      // RivetKit's stateless calls send `params` (minted now, per handle); a connection asks `getParams` on every
      // (re)connect, so the long-lived relay never presents an expired credential.
      return c.client<Registry>().growAgent.getOrCreate(growAgentKey(userId), {
        params: await mint(),
        getParams: mint,
      });
    },
    env: env as Env,
    log,
  });
}
