import { env } from "cloudflare:workers";
import { actor } from "rivetkit";
import type { Env } from "../env";
import { assertCaller, authenticateConnection, type ConnParams } from "./connection-auth";
import { mirrorLifecycle } from "./mirror-lifecycle";

const TYPE = "subAgent";

export interface SubAgentInput {
  task?: string;
}

/**
 * One unit of delegated work (key: [userId, subAgentId]). This issue gives it identity, lifecycle and auth;
 * the OpenCode session it drives arrives with the sub-agent issue.
 */
export const subAgent = actor({
  state: { task: "", status: "idle" as "idle" | "running" | "done", createdAt: 0 },
  createConnState: (c, params: ConnParams) =>
    authenticateConnection(env as Env, params, { type: TYPE, key: c.key }),
  onCreate: async (c, input: unknown) => {
    c.state.task = String((input as SubAgentInput | undefined)?.task ?? "").slice(0, 10_000);
    c.state.createdAt = Date.now();
    await mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "active");
  },
  onDestroy: (c) => mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "destroyed"),
  actions: {
    describe: (c) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      return { actorId: c.actorId, subAgentId: c.key[1], task: c.state.task, status: c.state.status };
    },
    /** Ends the sub-agent for good: its Durable Object data is deleted and its id stops resolving. */
    stop: (c) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      c.destroy();
      return { stopped: true };
    },
  },
});
