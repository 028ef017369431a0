import { env } from "cloudflare:workers";
import { actor } from "rivetkit";
import { UserError } from "rivetkit/errors";
import { createLogger } from "../../../platform/logger";
import { AgentRuntime } from "../agent/agent-runtime";
import type { Env } from "../env";
import { hubPublisher, isHubEpoch } from "../live/live-publisher";
import type { RelayEvent } from "../subagents/relay-batcher";
import type { SubAgentOutcome } from "../subagents/subagent-runner";
import { eventJson } from "../threads/serialize";
import { toActorError } from "./actor-errors";
import { subAgentKey } from "./actor-keys";
import { assertCaller, assertInternalCaller, type ConnParams, renewConnectionToken } from "./connection-auth";
import { internalParams } from "./internal-auth";
import { createLiveConns } from "./live-conns";
import { admitAndList, mirrorLifecycle, TOUCH_INTERVAL_MS } from "./mirror-lifecycle";
import type { Registry } from "./registry";

const TYPE = "growAgent";
const log = createLogger({ service: "grow-agent" });

/**
 * The user's master agent, exactly one per user (key: [userId]). Conversations run in its AgentRuntime; every
 * event of every thread is broadcast to all of the user's connections whose token is still valid as `event` ({
 * threadId, seq, type, data, at }); an expired one is closed with `user.token_expired` (live-conns.ts). All of them
 * are the same user's (connections are authenticated per user), so no per-thread filter is needed for privacy;
 * clients filter by thread.
 */
export const growAgent = actor({
  // createState (not onCreate) so createdAt is in the actor's first write (see sub-agent.ts).
  // schedulesArmedAt: the runSchedules alarm already set, so a re-arm for a later slot adds no second one.
  createState: () => ({
    createdAt: Date.now(),
    lastActiveAt: 0,
    listed: false as boolean,
    schedulesArmedAt: 0,
  }),
  createVars: (c) => {
    // The live channel the SPA and SSE streams listen on, which hibernates (docs/decisions/0011); quiet while it
    // holds no socket.
    const hub = hubPublisher(env as Env, c.key[0] ?? "", {
      keepAlive: (work) => c.waitUntil(work.then(() => {})),
      log,
    });
    // Every broadcast goes through it: a connection whose token expired gets nothing more and is closed.
    const live = createLiveConns(c, log.child({ actorId: c.actorId }), hub?.publish);
    return {
      hub,
      // Per in-memory instance (whoami): the hibernation test sees a fresh one after the object was evicted.
      instance: crypto.randomUUID(),
      live,
      agent: new AgentRuntime({
        env: env as Env,
        userId: c.key[0] ?? "",
        kv: c.kv,
        broadcast: (event) => live.broadcast("event", eventJson(event)),
        keepAlive: (work) => c.waitUntil(work.then(() => {})),
        scheduleMemoryRetry: (ms) => void c.schedule.after(ms, "drainMemory"),
        scheduleTurnWatch: (ms) => c.schedule.after(ms, "watchTurns"),
        armSchedules: (at) => {
          const armed = c.state.schedulesArmedAt ?? 0;
          // One that fires sooner re-arms when it runs.
          if (armed > Date.now() && armed <= at.getTime()) return;
          c.state.schedulesArmedAt = at.getTime();
          void c.schedule.at(at.getTime(), "runSchedules");
        },
        subAgentActors: {
          start: async (subAgentId, input) => {
            const userId = c.key[0] ?? "";
            const params = await internalParams(env as Env, userId, "subAgent");
            const handle = await c
              .client<Registry>()
              .subAgent.create(subAgentKey(userId, subAgentId), { params, input });
            await handle.start();
          },
          cancel: async (subAgentId) => {
            const userId = c.key[0] ?? "";
            const params = await internalParams(env as Env, userId, "subAgent");
            await c.client<Registry>().subAgent.get(subAgentKey(userId, subAgentId), { params }).cancel();
          },
        },
        log: log.child({ actorId: c.actorId }),
      }),
    };
  },
  createConnState: (c, params: ConnParams) =>
    admitAndList(env as Env, { type: TYPE, key: c.key, actorId: c.actorId, state: c.state }, params),
  // Each connection brings its own expiry: the timer that closes it is armed for the earliest. A client is here:
  // its first message's turn should not wait for the user's system memory.
  onConnect: (c) => {
    c.vars.live.watch();
    c.waitUntil(c.vars.agent.prefetch());
  },
  // The last one gone, no timer is left to keep the object in memory (docs/decisions/0011).
  onDisconnect: (c) => c.vars.live.watch(),
  onWake: (c) => {
    // A turn that was running when the object last stopped is marked interrupted; queued messages resume.
    c.waitUntil(c.vars.agent.recover().catch((error) => log.error("turn recovery failed", { error })));
    // Slots that came while nothing ran here (their alarm is normally what woke us).
    c.waitUntil(c.vars.agent.schedules.runDue().catch((error) => log.warn("schedules failed", { error })));
  },
  onDestroy: async (c) => {
    await mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "destroyed");
  },
  actions: {
    /** Who the actor thinks the caller is; proves the identity came from the token. */
    whoami: (c) => {
      const caller = assertCaller(c.conn.state, { type: TYPE, key: c.key });
      touch(c);
      return {
        userId: caller.userId,
        actorId: c.actorId,
        createdAt: c.state.createdAt,
        instance: c.vars.instance,
      };
    },
    /**
     * Extends this connection with a fresh token of the same user before the current one expires; without it the
     * connection is closed at expiry (`user.token_expired`) and the client reconnects.
     */
    renewToken: async (c, token: string) => {
      const caller = assertCaller(c.conn.state, { type: TYPE, key: c.key });
      const renewed = await renewConnectionToken(env as Env, caller, token);
      c.conn.state = renewed;
      return { expiresAt: new Date(renewed.tokenExpiresAt).toISOString() };
    },
    /** Broadcasts to every connection of this user's agent: the path every streamed event takes. */
    ping: (c, text: string) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      touch(c);
      const event = { text: String(text).slice(0, 1_000), at: new Date().toISOString() };
      c.vars.live.broadcast("pong", event);
      return event;
    },
    /**
     * Stores the message and starts (or queues) its turn; the turn's events arrive as `event`. With an
     * idempotency key, a resend after a lost answer stores nothing new and answers `replayed: true`; the message
     * still gets exactly one turn (agent-runtime.ts `sendMessage`).
     */
    sendMessage: (c, threadId: string, text: string, options?: { idempotencyKey?: string }) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      touch(c);
      const key = options?.idempotencyKey;
      if (key !== undefined && key !== null && typeof key !== "string") {
        throw new UserError("The idempotency key must be a string", { code: "idempotency_key_invalid" });
      }
      return c.vars.agent
        .sendMessage(String(threadId ?? ""), String(text ?? ""), { idempotencyKey: key ?? undefined })
        .catch(toActorError);
    },
    /**
     * Replaces the thread's last reply with a new turn answering the same user message (its events arrive as
     * `event`, after `turn.superseded`). With an idempotency key a retry starts nothing and answers `replayed`.
     */
    regenerate: (c, threadId: string, options?: { idempotencyKey?: string }) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      touch(c);
      const key = options?.idempotencyKey;
      if (key !== undefined && key !== null && typeof key !== "string") {
        throw new UserError("The idempotency key must be a string", { code: "idempotency_key_invalid" });
      }
      return c.vars.agent
        .regenerate(String(threadId ?? ""), { idempotencyKey: key ?? undefined })
        .catch(toActorError);
    },
    cancel: (c, threadId: string) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      return c.vars.agent.cancel(String(threadId ?? ""));
    },
    /**
     * The thread was deleted (by the REST API, after checking ownership): its running turn stops, and live
     * streams of it end (`threadDeleted`), since its log is gone.
     */
    threadDeleted: async (c, threadId: string) => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      const id = String(threadId ?? "");
      const { cancelled } = await c.vars.agent.cancel(id);
      c.vars.live.broadcast("threadDeleted", { threadId: id });
      return { cancelled };
    },
    /**
     * A share link of one of this user's threads was revoked (by the REST API, after checking ownership): the
     * streams of it, which listen here whatever isolate they run in, end at once.
     */
    shareRevoked: (c, shareId: string) => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      c.vars.live.broadcast("shareRevoked", { shareId: String(shareId ?? "") });
      return { ok: true };
    },
    /**
     * For the Worker's SSE stream (internal credentials only): answered after the subscriptions sent before it are
     * in place, with the last seq of the thread that may not be in Postgres yet, so the stream knows how far its
     * read of the log must reach before it relies on pushes.
     */
    eventCursor: async (c, threadId: string, options?: { hubEpoch?: number }) => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      // The stream's hub socket is open: publish again, before the cursor promises that pushes follow it (the
      // hub's own `hubListening` for that socket may come later).
      if (options?.hubEpoch !== undefined) c.vars.hub?.opened(hubEpochOf(options.hubEpoch));
      return { lastSeq: await c.vars.agent.eventCursor(String(threadId ?? "")) };
    },
    /**
     * From the user's LiveHub (internal credentials): it accepted its `epoch`-th socket, so broadcasts are
     * published again; the agent stops while the hub holds none (live-publisher.ts, docs/decisions/0011).
     */
    hubListening: (c, input: { epoch: number }) => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      c.vars.hub?.opened(hubEpochOf((input as { epoch?: unknown } | undefined)?.epoch));
      // A tab opened: read system memory ahead of its first message.
      c.waitUntil(c.vars.agent.prefetch());
      return { ok: true };
    },
    /** Whether a turn runs in the thread and how many messages wait behind it. */
    threadStatus: (c, threadId: string) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      return c.vars.agent.status(String(threadId ?? ""));
    },
    /** Memory writes through the actor, so its L1 cache stays coherent and failed writes get retry alarms. */
    commitMemory: (
      c,
      input: { path: string; content: string; message?: string; idempotencyKey?: string },
    ) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      return c.vars.agent.memory.commit(memoryInput(input)).catch(toActorError);
    },
    /**
     * Retry alarm for memory writes that could not reach git (scheduled by the actor itself, so there is no
     * connection to check); draining only ever commits this user's own acknowledged writes.
     */
    drainMemory: async (c) => {
      await c.vars.agent.memory.drain();
      return { ok: true };
    },
    /**
     * Turn-watch alarm (scheduled by the actor itself): being woken by it is the point, since waking runs the
     * recovery. Reaches only the owner's own actor (connections are authenticated) and an early call is ignored.
     */
    watchTurns: (c) => {
      c.vars.agent.watchTurns();
      return { ok: true };
    },
    /**
     * The schedules' alarm (worker/src/schedules/schedule-runner.ts), also poked by the REST routes after a change:
     * runs the slots that are due, once each, and re-arms for the earliest pending one. An early call runs
     * nothing that is not due, and only the owner's connections reach the actor.
     */
    runSchedules: async (c) => {
      await c.vars.agent.schedules.runDue();
      return { ok: true };
    },
    /** From the user's sub-agents (internal credentials): their events, logged and broadcast on the thread. */
    relaySubAgentEvents: (c, threadId: string, subAgentId: string, events: RelayEvent[], batch: number) => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      if (!Number.isSafeInteger(batch) || batch < 1) {
        throw new UserError("batch must be a positive integer", { code: "invalid_batch" });
      }
      c.vars.agent.subAgents.relay(
        String(threadId),
        String(subAgentId),
        Array.isArray(events) ? events : [],
        batch,
      );
      return { queued: true };
    },
    subAgentFinished: async (c, threadId: string, subAgentId: string, outcome: SubAgentOutcome) => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      await c.vars.agent.subAgents.finished(String(threadId), String(subAgentId), outcome);
      return { ok: true };
    },
    /** The model answering this user (production Claude or the local dev/model). */
    model: (c) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      return { model: c.vars.agent.config.model, endpoint: c.vars.agent.config.endpoint };
    },
  },
});

/** A hub epoch (sockets accepted so far): a non-negative safe integer, or the call is refused. */
function hubEpochOf(value: unknown): number {
  if (isHubEpoch(value)) return value;
  throw new UserError("epoch must be a non-negative integer", { code: "invalid_request" });
}

function memoryInput(input: unknown) {
  const { path, content, message, idempotencyKey } = (input ?? {}) as Record<string, unknown>;
  return {
    path: String(path ?? ""),
    content: typeof content === "string" ? content : "",
    message: typeof message === "string" ? message : undefined,
    idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey.slice(0, 200) : undefined,
  };
}

function touch(c: { state: { lastActiveAt: number }; key: string[]; actorId: string }): void {
  const now = Date.now();
  if (now - c.state.lastActiveAt < TOUCH_INTERVAL_MS) return;
  c.state.lastActiveAt = now;
  void mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "active");
}
