import { env } from "cloudflare:workers";
import { actor } from "rivetkit";
import type { Env } from "../env";
import { assertCaller, authenticateConnection, type ConnParams } from "./connection-auth";
import { mirrorLifecycle, TOUCH_INTERVAL_MS } from "./mirror-lifecycle";

const TYPE = "growAgent";

/**
 * The user's master agent, exactly one per user (key: [userId]). This issue gives it identity, lifecycle and
 * per-connection auth; the conversation loop and memory arrive with their issues.
 */
export const growAgent = actor({
  state: { createdAt: 0, lastActiveAt: 0 },
  createConnState: (c, params: ConnParams) =>
    authenticateConnection(env as Env, params, { type: TYPE, key: c.key }),
  onCreate: async (c) => {
    c.state.createdAt = Date.now();
    await mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "active");
  },
  onDestroy: (c) => mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "destroyed"),
  actions: {
    /** Who the actor thinks the caller is; proves the identity came from the token. */
    whoami: (c) => {
      const caller = assertCaller(c.conn.state, { type: TYPE, key: c.key });
      touch(c);
      return { userId: caller.userId, actorId: c.actorId, createdAt: c.state.createdAt };
    },
    /** Broadcasts to every connection of this user's agent: the path every streamed event takes. */
    ping: (c, text: string) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      touch(c);
      const event = { text: String(text).slice(0, 1_000), at: new Date().toISOString() };
      c.broadcast("pong", event);
      return event;
    },
  },
});

function touch(c: { state: { lastActiveAt: number }; key: string[]; actorId: string }): void {
  const now = Date.now();
  if (now - c.state.lastActiveAt < TOUCH_INTERVAL_MS) return;
  c.state.lastActiveAt = now;
  void mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "active");
}
