import { env } from "cloudflare:workers";
import { actor } from "rivetkit";
import { UserError } from "rivetkit/errors";
import { createLogger } from "../../../platform/logger";
import { retry } from "../../../platform/retry";
import { withTimeout } from "../../../platform/with-timeout";
import { entitlements } from "../billing/entitlements";
import { openDatabase } from "../db/open-database";
import type { Env } from "../env";
import { ensureStackWithinPlan } from "../stack/admit-stack-start";
import { opencodeConnection } from "../subagents/opencode-connection";
import { findSession, finishSession, markSessionRunning } from "../subagents/sessions.repository";
import { loadSkills, skillsPrompt } from "../subagents/skills";
import { runSubAgent, type SubAgentOutcome } from "../subagents/subagent-runner";
import { toActorError } from "./actor-errors";
import { growAgentKey } from "./actor-keys";
import { assertCaller, assertInternalCaller, type ConnParams } from "./connection-auth";
import { internalParams } from "./internal-auth";
import { admitAndList, mirrorLifecycle } from "./mirror-lifecycle";
import type { Registry } from "./registry";

const TYPE = "subAgent";
const log = createLogger({ service: "sub-agent" });

export interface SubAgentInput {
  task?: string;
  /** The thread (and turn) whose Grow Agent delegated the task: where its events are relayed. */
  threadId?: string;
  /** Names of the user's skills (`skills/<name>.md` in memory) to load; all of them when omitted. */
  skills?: string[];
}

interface SubAgentState {
  task: string;
  threadId: string;
  status: "idle" | "running" | "completed" | "failed" | "cancelled";
  skills: string[];
  createdAt: number;
  opencodeSessionId: string | null;
  /** Whether its row in the actor listing is written (at the first authenticated connection, see below). */
  listed: boolean;
}

/**
 * One unit of delegated work (key: [userId, subAgentId]; the id is its `opencode_sessions` row): wakes the user's
 * sandbox, runs the task as an OpenCode session and relays what happens to the Grow Agent, which logs and
 * broadcasts it on the thread and gets the result back as its tool result.
 */
export const subAgent = actor({
  // Built at creation (createState, not onCreate), so it is in the first write of the actor's data: RivetKit
  // otherwise saves state at most once a second, and a Durable Object restarted within that second loses it.
  createState: (_c, input: SubAgentInput | undefined): SubAgentState => ({
    task: String(input?.task ?? "").slice(0, 10_000),
    threadId: String(input?.threadId ?? ""),
    skills: Array.isArray(input?.skills) ? input.skills.map(String).slice(0, 20) : [],
    status: "idle",
    createdAt: Date.now(),
    opencodeSessionId: null,
    listed: false,
  }),
  createVars: () => ({ controller: undefined as AbortController | undefined }),
  createConnState: (c, params: ConnParams) =>
    admitAndList(env as Env, { type: TYPE, key: c.key, actorId: c.actorId, state: c.state }, params),
  onWake: (c) => {
    // Running in the state but no run in memory: the Durable Object restarted mid-task. The OpenCode session may
    // live on, but nobody relays it any more: end it as failed so the Grow Agent's turn does not wait forever.
    if (c.state.status === "running" && !c.vars.controller) {
      c.waitUntil(complete(c, { status: "failed", error: "Interrupted by a restart", costUsd: 0 }));
    }
  },
  onDestroy: async (c) => {
    await mirrorLifecycle(env as Env, { type: TYPE, key: c.key, actorId: c.actorId }, "destroyed");
  },
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
    start: async (c) => {
      assertInternalCaller(c.conn.state, { type: TYPE, key: c.key });
      if (c.state.status !== "idle") return { started: false, status: c.state.status };
      const [userId = "", subAgentId = ""] = c.key;
      if (!(await isReserved(userId, subAgentId).catch(toActorError))) {
        throw new UserError("This sub-agent was not reserved by your Grow Agent", { code: "forbidden" });
      }
      c.state.status = "running";
      await c.saveState({ immediate: true });
      const controller = new AbortController();
      c.vars.controller = controller;
      c.waitUntil(run(c, controller.signal));
      return { started: true, status: c.state.status };
    },
    /** Aborts the OpenCode session; the sub-agent ends as cancelled. */
    cancel: (c) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      const running = c.state.status === "running" && c.vars.controller !== undefined;
      c.vars.controller?.abort(new Error("Cancelled"));
      return { cancelled: running };
    },
    /** Ends the sub-agent for good: its Durable Object data is deleted and its id stops resolving. */
    stop: (c) => {
      assertCaller(c.conn.state, { type: TYPE, key: c.key });
      c.vars.controller?.abort(new Error("Stopped"));
      c.destroy();
      return { stopped: true };
    },
  },
});

interface RunContext {
  key: string[];
  state: SubAgentState;
  vars: { controller: AbortController | undefined };
  client<R extends Registry>(): import("rivetkit").Client<R>;
}

async function run(c: RunContext, signal: AbortSignal): Promise<void> {
  const [userId = "", subAgentId = ""] = c.key;
  const appEnv = env as Env;
  const db = openDatabase(appEnv);
  // One connection for the whole run: a stateless call per batch would resolve the Grow Agent and verify the
  // credentials every time.
  let relayTo: Promise<GrowAgentConnection> | undefined;
  const openRelay = () => {
    const opening = growAgentOf(c).then((handle) => handle.connect());
    // One that could not even be opened is opened afresh for the next attempt.
    opening.catch(() => {
      if (relayTo === opening) relayTo = undefined;
    });
    return opening;
  };
  try {
    const skills = await loadSkills({ env: appEnv, db, userId, log }, c.state.skills);
    const outcome = await runSubAgent({
      task: c.state.task,
      system: skillsPrompt(skills),
      signal,
      ensureStack: async () => {
        // The same gate as POST /api/stack/wake: a sub-agent must not bring machines up past the plan's starts per
        // hour or allowance (its refusal is the run's failure reason, code included, for the model and the user).
        const stack = await ensureStackWithinPlan({
          ensureStack: (startAllowed) => appEnv.PROVISIONER.ensureStack(userId, { startAllowed }),
          entitlements: () => entitlements(db, userId),
        });
        if (stack.status !== "ready")
          throw new Error(`The sandbox is ${stack.status}: ${stack.lastError ?? "not ready"}`);
      },
      connection: () => opencodeConnection(appEnv, userId),
      onSessionCreated: async (opencodeSessionId) => {
        c.state.opencodeSessionId = opencodeSessionId;
        // Idempotent, so a database busy under load (seen in the load run) gets a few more tries.
        await retried(() => markSessionRunning(db, userId, subAgentId, opencodeSessionId)).catch((error) => {
          log.error("could not record the sub-agent's OpenCode session", { subAgentId, error });
          throw new Error("The sub-agent's session could not be recorded (database unavailable)");
        });
      },
      relay: async (events, batch) => {
        relayTo ??= openRelay();
        await (await relayTo).relaySubAgentEvents(c.state.threadId, subAgentId, events, batch);
      },
      onRelayDropped: (events, error) =>
        log.warn("could not relay a sub-agent's events to its Grow Agent", {
          subAgentId,
          events: events.length,
          error,
        }),
    });
    await complete(c, outcome);
  } catch (error) {
    log.error("sub-agent run crashed", { subAgentId, error });
    await complete(c, { status: "failed", error: "The sub-agent crashed", costUsd: 0 });
  } finally {
    c.vars.controller = undefined;
    await db.$client.end().catch(() => {});
    await withTimeout(relayTo?.then((conn) => conn.dispose()) ?? Promise.resolve(), 5_000).catch(() => {});
  }
}

type GrowAgentConnection = ReturnType<Awaited<ReturnType<typeof growAgentOf>>["connect"]>;

/** `work`, tried up to three times, waiting up to 0.5 s and then 1 s (platform/retry.ts) between attempts. */
function retried<T>(work: () => Promise<T>): Promise<T> {
  return retry(work, { attempts: 3, baseMs: 500, maxMs: 1_000 });
}

async function isReserved(userId: string, subAgentId: string): Promise<boolean> {
  const db = openDatabase(env as Env);
  try {
    return (await findSession(db, userId, subAgentId))?.status === "starting";
  } finally {
    await db.$client.end().catch(() => {});
  }
}

async function growAgentOf(c: RunContext) {
  const userId = c.key[0] ?? "";
  const mint = () => internalParams(env as Env, userId, "growAgent");
  // RivetKit's stateless calls send `params` (minted now, per handle); a connection asks `getParams` on every
  // (re)connect, so the long-lived relay never presents an expired credential.
  return c.client<Registry>().growAgent.getOrCreate(growAgentKey(userId), {
    params: await mint(),
    getParams: mint,
  });
}

/** Records the outcome and hands it to the Grow Agent (whose spawn_sub_agent tool call waits for it). */
async function complete(c: RunContext, outcome: SubAgentOutcome): Promise<void> {
  if (c.state.status !== "running") return;
  c.state.status = outcome.status;
  const subAgentId = c.key[1] ?? "";
  const db = openDatabase(env as Env);
  try {
    // OpenCode's own cost is kept with the session as information only: the sandbox is not trusted to report
    // what it used. Its model calls are metered by the model gateway (worker/src/gateway/).
    await finishSession(db, c.key[0] ?? "", subAgentId, outcome);
  } catch (error) {
    log.error("recording the sub-agent's outcome failed", { subAgentId, error });
  } finally {
    await db.$client.end().catch(() => {});
  }
  // The Grow Agent's tool call waits for this: retry a busy or restarting Grow Agent a few times.
  await retry(async () => (await growAgentOf(c)).subAgentFinished(c.state.threadId, subAgentId, outcome), {
    attempts: 5,
    baseMs: 500,
    maxMs: 4_000,
    onRetry: ({ attempt, error }) =>
      log.warn("telling the Grow Agent failed; retrying", { subAgentId, attempt, error }),
  }).catch((error) => {
    log.error("the Grow Agent never heard of this sub-agent's end", { subAgentId, error });
  });
}
