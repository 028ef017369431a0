import type { RetryPolicy } from "../../../platform/retry";
import type { SubAgentOutcome } from "./subagent-runner";

/**
 * What a subAgent actor does at each step of its life, as pure functions of its state (no I/O): carried out by
 * `SubAgentRun` (sub-agent-run.ts), wired to RivetKit by `actors/sub-agent.ts`.
 */

export type SubAgentStatus = "idle" | "running" | "completed" | "failed" | "cancelled";

export interface SubAgentInput {
  task?: string;
  /** The thread (and turn) whose Grow Agent delegated the task: where its events are relayed. */
  threadId?: string;
  /** Names of the user's skills (`skills/<name>/SKILL.md` in memory) the task should use (a hint in its text). */
  skills?: string[];
}

export interface SubAgentState {
  task: string;
  threadId: string;
  status: SubAgentStatus;
  skills: string[];
  createdAt: number;
  opencodeSessionId: string | null;
  /** Whether its row in the actor listing is written (at the first authenticated connection). */
  listed: boolean;
}

const MAX_TASK_CHARS = 10_000;
const MAX_SKILLS = 20;

/** A new sub-agent's state: its input (anyone may create an actor, so whatever came in), bounded. */
export function initialState(input: SubAgentInput | undefined, now: number): SubAgentState {
  return {
    task: String(input?.task ?? "").slice(0, MAX_TASK_CHARS),
    threadId: String(input?.threadId ?? ""),
    skills: Array.isArray(input?.skills) ? input.skills.map(String).slice(0, MAX_SKILLS) : [],
    status: "idle",
    createdAt: now,
    opencodeSessionId: null,
    listed: false,
  };
}

/** `start` runs a task once: only from idle; every later call is answered with the status as it is. */
export const mayStart = (status: SubAgentStatus): boolean => status === "idle";

/**
 * ...and only on the `opencode_sessions` row the Grow Agent reserved for it (still `starting`): a sub-agent
 * without its row (created by hand under some key), or whose row already ran or ended, does not run.
 */
export const isReservation = (row: { status: string } | undefined): boolean => row?.status === "starting";

/** A run that died with its Durable Object: the OpenCode session may live on, but nobody relays it any more. */
export const INTERRUPTED: SubAgentOutcome = {
  status: "failed",
  error: "Interrupted by a restart",
  costUsd: 0,
};

/** A run that threw instead of ending with an outcome (a bug, never a hang). */
export const CRASHED: SubAgentOutcome = { status: "failed", error: "The sub-agent crashed", costUsd: 0 };

/**
 * On wake: running in the state but no run in memory means the object restarted mid-task, so it is ended (the
 * Grow Agent's turn must not wait forever). Undefined: nothing to do.
 */
export function outcomeOnWake(status: SubAgentStatus, runInMemory: boolean): SubAgentOutcome | undefined {
  return status === "running" && !runInMemory ? INTERRUPTED : undefined;
}

/** `cancel`: a run in memory is aborted (it then ends as cancelled); the answer says whether one was running. */
export function cancelDecision(
  status: SubAgentStatus,
  runInMemory: boolean,
): { abort: boolean; cancelled: boolean } {
  return { abort: runInMemory, cancelled: status === "running" && runInMemory };
}

/**
 * The status an outcome ends a sub-agent in; undefined when it is not running (never started, or already ended:
 * a second report, e.g. the restart's and then the run's own, changes nothing and is not recorded again).
 */
export function statusAfter(status: SubAgentStatus, outcome: SubAgentOutcome): SubAgentStatus | undefined {
  return status === "running" ? outcome.status : undefined;
}

/** Recording the OpenCode session is idempotent: a database busy under load (seen in the load run) gets a few more tries. */
export const RECORD_SESSION_RETRY: RetryPolicy = { attempts: 3, baseMs: 500, maxMs: 1_000 };

/**
 * The Grow Agent's tool call waits for the end: a busy or restarting Grow Agent is retried a few times. Equal
 * jitter keeps the whole schedule at 3.75–7.5 s, long enough to outlast a restart (full jitter could give up in
 * well under a second).
 */
export const REPORT_END_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 4_000, jitter: "equal" };

/**
 * After a relay connection failed to open: it is dropped (so the next delivery opens one afresh) only if it is
 * still the current one; a connection that opened is kept, RivetKit reconnects it by itself.
 */
export const keepAfterFailedOpen = <T>(current: T | undefined, failed: T): T | undefined =>
  current === failed ? undefined : current;

/** Why a stack that `ensureStack` answered is not usable; undefined when it is ready. */
export function stackNotReady(stack: { status: string; lastError?: string | null }): string | undefined {
  return stack.status === "ready"
    ? undefined
    : `The sandbox is ${stack.status}: ${stack.lastError ?? "not ready"}`;
}
