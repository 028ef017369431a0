import { env } from "cloudflare:workers";
import { actor } from "rivetkit";
import type { Env } from "../env";
import { assertCaller, authenticateConnection, type ConnParams } from "./connection-auth";
import { mirrorLifecycle } from "./mirror-lifecycle";

const TYPE = "subAgent";

export interface SubAgentInput {
  task?: string;
}

interface SubAgentState {
  task: string;
  status: "idle" | "running" | "done";
  createdAt: number;
}

/**
 * One unit of delegated work (key: [userId, subAgentId]). This issue gives it identity, lifecycle and auth;
 * the OpenCode session it drives arrives with the sub-agent issue.
 */
export const subAgent = actor({
  // Built at creation (createState, not onCreate), so it is in the first write of the actor's data: RivetKit
  // otherwise saves state at most once a second, and a Durable Object restarted within that second loses it.
  createState: (_c, input: SubAgentInput | undefined): SubAgentState => ({
    task: String(input?.task ?? "").slice(0, 10_000),
    status: "idle",
    createdAt: Date.now(),
  }),
  createConnState: (c, params: ConnParams) =>
    authenticateConnection(env as Env, params, { type: TYPE, key: c.key }),
  onCreate: async (c) => {
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
