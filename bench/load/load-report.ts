import type { Latency } from "../actors/stats";
import type { LoadSettings } from "./load-settings";
import type { TurnCost } from "./turn-cost";

/** What `npm run load` found (bench/results/load.json), and how it is printed. */

export interface LoadResult {
  settings: LoadSettings;
  /** `failures`: the failed turns' codes (`turn.failed` data), with counts. */
  turns: {
    sent: number;
    completed: number;
    failed: number;
    interrupted: number;
    latency: Latency;
    /** Latency minus the model's own time (dev/model's streams of that turn): what GrowQR adds. */
    overhead: Latency;
    failures: Record<string, number>;
  };
  /** sendMessage calls refused (e.g. while the database was away) and retried by the client. */
  refusedAndRetried: number;
  /** Connections the clients replaced after repeated failures (then resumed from the log). */
  reconnects: number;
  events: { received: number; perSecond: number; duplicateBroadcasts: number; resumes: number };
  /** `reasons`: why the failed ones failed, with counts. */
  subAgents: { spawned: number; completed: number; failed: number; reasons: Record<string, number> };
  /** commit_memory calls the agent reported done, and how many of them are commits in the user's repository. */
  memory: { acknowledged: number; pendingWhenAcknowledged: number; landed: number };
  faults: string[];
  /**
   * LOAD_FAULTS=reload: reloads of the Workers planned and done (wrangler dev served again after each), and the
   * slowest one's time from the write to serving again.
   */
  reloads?: { planned: number; done: number; slowestMs: number };
  /** Worker CPU and database round trips per completed turn; only without faults (see turn-cost.ts). */
  perTurn?: TurnCost;
  /** Every thread: the client's events equal the log exactly once, in order; every message exactly once. */
  exactlyOnce: boolean;
  problems: string[];
  seconds: number;
}

export function formatLoad(result: LoadResult): string {
  const { turns, events, subAgents } = result;
  return [
    `Load: ${result.settings.users} users for ${result.seconds} s, ${result.settings.thinkMs.join("–")} ms between a turn's end and the next message, ${result.settings.modelPauseMs} ms between dev/model's stream events (faults: ${result.settings.faults})`,
    `  turns: ${(turns.completed / result.seconds).toFixed(1)} completed per second; ${turns.sent} sent, ${turns.completed} completed, ${turns.interrupted} interrupted, ${turns.failed} failed ${JSON.stringify(turns.failures)}; latency p50 ${turns.latency.p50} ms, p99 ${turns.latency.p99} ms; overhead (latency minus model time) p50 ${turns.overhead.p50} ms, p99 ${turns.overhead.p99} ms`,
    `  refused and retried by clients: ${result.refusedAndRetried}; connections replaced: ${result.reconnects}`,
    `  events: ${events.received} received live (${events.perSecond}/s), ${events.resumes} resumes from the log, ${events.duplicateBroadcasts} duplicate broadcasts`,
    `  sub-agents: ${subAgents.spawned} spawned, ${subAgents.completed} completed, ${subAgents.failed} failed ${JSON.stringify(subAgents.reasons)}`,
    `  memory writes: ${result.memory.acknowledged} acknowledged (${result.memory.pendingWhenAcknowledged} while git was down, answered "pending"), ${result.memory.landed} committed to git`,
    result.perTurn
      ? `  per completed turn: Worker CPU ${result.perTurn.workerCpuMs} ms (every workerd process), ${result.perTurn.dbRoundTrips} database round trips, ${result.perTurn.doRequests ?? "(not counted)"} Durable Object requests ${JSON.stringify(result.perTurn.doRequestsByEntry ?? {})}`
      : "  per completed turn: not measured with faults (LOAD_FAULTS=0 measures it)",
    ...result.faults.map((f) => `  fault: ${f}`),
    ...(result.reloads
      ? [
          `  Worker reloads: ${result.reloads.done} of ${result.reloads.planned} done (slowest ${result.reloads.slowestMs} ms); turns meanwhile: ${turns.completed} completed, ${turns.interrupted} interrupted, ${turns.failed} failed, ${turns.sent - turns.completed - turns.interrupted - turns.failed} without an end`,
        ]
      : []),
    `  exactly once, in order, nothing lost: ${result.exactlyOnce ? "yes" : "NO"}`,
    ...result.problems.slice(0, 20).map((p) => `    ${p}`),
  ].join("\n");
}
