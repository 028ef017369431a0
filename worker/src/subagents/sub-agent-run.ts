import type { Logger } from "../../../platform/logger";
import { retry } from "../../../platform/retry";
import { withTimeout } from "../../../platform/with-timeout";
import { entitlements } from "../billing/entitlements";
import { withDatabase } from "../db/open-database";
import type { Env } from "../env";
import { ensureStackWithinPlan } from "../stack/admit-stack-start";
import { memoryRemote } from "./memory-remote";
import { opencodeConnection } from "./opencode-connection";
import type { RelayEvent } from "./relay-batcher";
import { prepareTaskWorkspace } from "./sandbox-workspace";
import { findSession, finishSession, markSessionRunning } from "./sessions.repository";
import { withSkillsHint } from "./skills";
import {
  CRASHED,
  cancelDecision,
  isReservation,
  keepAfterFailedOpen,
  mayStart,
  outcomeOnWake,
  RECORD_SESSION_RETRY,
  REPORT_END_RETRY,
  type SubAgentState,
  type SubAgentStatus,
  stackNotReady,
  statusAfter,
} from "./sub-agent-lifecycle";
import { runSubAgent, type SubAgentOutcome } from "./subagent-runner";

/** The open connection to the Grow Agent a run relays its events over. */
interface RelayConnection {
  relaySubAgentEvents(
    threadId: string,
    subAgentId: string,
    events: RelayEvent[],
    batch: number,
  ): Promise<unknown>;
  dispose(): Promise<void>;
}

/** The user's growAgent actor, as a sub-agent reaches it (internal credentials, minted per (re)connect). */
interface GrowAgentHandle {
  connect(): RelayConnection;
  subAgentFinished(threadId: string, subAgentId: string, outcome: SubAgentOutcome): Promise<unknown>;
}

/** What the subAgent actor gives its run: its key, state and vars, and the RivetKit calls it needs. */
export interface SubAgentHost {
  readonly userId: string;
  readonly subAgentId: string;
  /** The actor's persisted state, changed in place (RivetKit saves it). */
  readonly state: SubAgentState;
  /** The run in memory (the actor's vars): gone after a restart. */
  controller: AbortController | undefined;
  /** Writes the state now rather than on RivetKit's throttled save. */
  saveState(): Promise<void>;
  waitUntil(work: Promise<unknown>): void;
  growAgent(): Promise<GrowAgentHandle>;
  env: Env;
  log: Logger;
}

/**
 * Carries out the decisions of sub-agent-lifecycle.ts for one subAgent actor: checks the reservation, runs the
 * task (subagent-runner.ts) in the background with its events relayed to the Grow Agent over one connection,
 * records the outcome and hands it to the Grow Agent. Every database access is one unit of work on a pool of its
 * own (`withDatabase`): a run lasts minutes and holds no pool meanwhile.
 */
export class SubAgentRun {
  constructor(private readonly host: SubAgentHost) {}

  /**
   * Starts the task once (idempotent); the run goes on in the background. "not_reserved": there is no row the
   * Grow Agent reserved for this sub-agent, so it does not run.
   */
  async start(): Promise<{ started: boolean; status: SubAgentStatus } | "not_reserved"> {
    if (!mayStart(this.host.state.status)) return { started: false, status: this.host.state.status };
    const row = await withDatabase(this.host.env, (db) =>
      findSession(db, this.host.userId, this.host.subAgentId),
    );
    if (!isReservation(row)) return "not_reserved";
    this.host.state.status = "running";
    await this.host.saveState();
    const controller = new AbortController();
    this.host.controller = controller;
    this.host.waitUntil(this.#run(controller.signal));
    return { started: true, status: this.host.state.status };
  }

  /** Aborts the run in memory (it ends as cancelled, or `reason` for `stop`). */
  cancel(reason: string): { cancelled: boolean } {
    const decision = cancelDecision(this.host.state.status, this.host.controller !== undefined);
    if (decision.abort) this.host.controller?.abort(new Error(reason));
    return { cancelled: decision.cancelled };
  }

  /** After a restart: a run the state says is going on but that is not in memory is ended. */
  wake(): void {
    const outcome = outcomeOnWake(this.host.state.status, this.host.controller !== undefined);
    if (outcome) this.host.waitUntil(this.#complete(outcome));
  }

  async #run(signal: AbortSignal): Promise<void> {
    const host = this.host;
    // State is read through the host each time (RivetKit's own, not a copy taken at the start).
    const { env, userId, subAgentId, log } = host;
    // One connection for the whole run: a stateless call per batch would resolve the Grow Agent and verify the
    // credentials every time.
    let relayTo: Promise<RelayConnection> | undefined;
    const openRelay = () => {
      const opening = host.growAgent().then((handle) => handle.connect());
      opening.catch(() => {
        relayTo = keepAfterFailedOpen(relayTo, opening);
      });
      return opening;
    };
    try {
      const outcome = await runSubAgent({
        task: withSkillsHint(host.state.task, host.state.skills),
        signal,
        ensureStack: async () => {
          // The same gate as POST /api/stack/wake: a sub-agent must not bring machines up past the plan's starts
          // per hour or allowance (its refusal is the run's failure reason, code included, for the model and the
          // user).
          const stack = await ensureStackWithinPlan({
            ensureStack: (startAllowed) => env.PROVISIONER.ensureStack(userId, { startAllowed }),
            entitlements: () => withDatabase(env, (db) => entitlements(db, userId)),
          });
          const notReady = stackNotReady(stack);
          if (notReady) throw new Error(notReady);
        },
        connection: () => opencodeConnection(env, userId),
        prepareWorkspace: (client, signal) =>
          prepareTaskWorkspace({ client, subAgentId, signal, log, remote: () => memoryRemote(env, userId) }),
        onSessionCreated: async (opencodeSessionId) => {
          host.state.opencodeSessionId = opencodeSessionId;
          await retry(
            () => withDatabase(env, (db) => markSessionRunning(db, userId, subAgentId, opencodeSessionId)),
            RECORD_SESSION_RETRY,
          ).catch((error) => {
            log.error("could not record the sub-agent's OpenCode session", { subAgentId, error });
            throw new Error("The sub-agent's session could not be recorded (database unavailable)");
          });
        },
        relay: async (events, batch) => {
          relayTo ??= openRelay();
          await (await relayTo).relaySubAgentEvents(host.state.threadId, subAgentId, events, batch);
        },
        onRelayDropped: (events, error) =>
          log.warn("could not relay a sub-agent's events to its Grow Agent", {
            subAgentId,
            events: events.length,
            error,
          }),
      });
      await this.#complete(outcome);
    } catch (error) {
      log.error("sub-agent run crashed", { subAgentId, error });
      await this.#complete(CRASHED);
    } finally {
      host.controller = undefined;
      await withTimeout(relayTo?.then((conn) => conn.dispose()) ?? Promise.resolve(), 5_000).catch(() => {});
    }
  }

  /** Records the outcome and hands it to the Grow Agent (whose spawn_sub_agent tool call waits for it). */
  async #complete(outcome: SubAgentOutcome): Promise<void> {
    const { env, userId, subAgentId, log } = this.host;
    const next = statusAfter(this.host.state.status, outcome);
    if (!next) return;
    this.host.state.status = next;
    // OpenCode's own cost is kept with the session as information only: the sandbox is not trusted to report
    // what it used. Its model calls are metered by the model gateway (worker/src/gateway/).
    await withDatabase(env, (db) => finishSession(db, userId, subAgentId, outcome)).catch((error) =>
      log.error("recording the sub-agent's outcome failed", { subAgentId, error }),
    );
    await retry(
      async () =>
        (await this.host.growAgent()).subAgentFinished(this.host.state.threadId, subAgentId, outcome),
      {
        ...REPORT_END_RETRY,
        onRetry: ({ attempt, error }) =>
          log.warn("telling the Grow Agent failed; retrying", { subAgentId, attempt, error }),
      },
    ).catch((error) => {
      log.error("the Grow Agent never heard of this sub-agent's end", { subAgentId, error });
    });
  }
}
