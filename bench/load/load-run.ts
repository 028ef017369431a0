import { performance } from "node:perf_hooks";
import type { LocalStack } from "../../dev/stack";
import { latency } from "../actors/stats";
import { loadApi } from "./load-api";
import type { LoadResult } from "./load-report";
import type { LoadSettings } from "./load-settings";
import { type LoadTally, simulateUser } from "./load-user";
import { type DoRequestCount, measureWindow } from "./load-window";
import type { ModelClock } from "./model-time";
import { checkThreads } from "./thread-checks";
import { costPerTurn } from "./turn-cost";

/**
 * N users, each with a live connection to their Grow Agent, sending messages one after another for a while (some
 * delegating to sub-agents) while faults are injected; then every thread is checked against its log.
 */
export async function runLoad(
  stack: LocalStack,
  settings: LoadSettings,
  log: (line: string) => void,
  modelClock: ModelClock,
  /** Counts calls into the Durable Objects over the load window (do-requests.ts); runs without faults only. */
  doRequests?: DoRequestCount,
) {
  const tally: LoadTally = {
    counts: { sent: 0, completed: 0, failed: 0, interrupted: 0, refused: 0, received: 0, reconnects: 0 },
    turnLatencies: [],
    turnOverheads: [],
    turnFailures: {},
    problems: [],
  };
  const { counts, problems } = tally;
  const api = loadApi(stack);
  const run = { stack, settings, log, modelClock, api, tally };
  const subAgentUsers = Math.round(settings.users * settings.subAgentShare);

  const measured = await measureWindow(stack, settings, log, doRequests, (i, setUp) =>
    simulateUser(run, i, i < subAgentUsers, setUp),
  );
  const { costBefore, costAfter, doCalls, reloads } = measured;
  const users = measured.simulated.flatMap((r, i) => {
    if (r.status === "fulfilled") return [r.value];
    problems.push(`user ${i}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    return [];
  });
  const seconds = (performance.now() - measured.started) / 1_000;
  const { duplicateBroadcasts, resumes, subAgents, memory } = await checkThreads(users, api, problems);

  return {
    settings,
    turns: {
      sent: counts.sent,
      completed: counts.completed,
      failed: counts.failed,
      interrupted: counts.interrupted,
      latency: latency(tally.turnLatencies),
      overhead: latency(tally.turnOverheads),
      failures: tally.turnFailures,
    },
    refusedAndRetried: counts.refused,
    reconnects: counts.reconnects,
    events: {
      received: counts.received,
      perSecond: Math.round(counts.received / seconds),
      duplicateBroadcasts,
      resumes,
    },
    subAgents,
    memory,
    faults: measured.faultLog,
    ...(reloads ? { reloads } : {}),
    ...(costBefore && costAfter
      ? { perTurn: costPerTurn(costBefore, costAfter, counts.completed, doCalls) }
      : {}),
    exactlyOnce: problems.length === 0,
    problems,
    seconds: Math.round(seconds * 10) / 10,
  } satisfies LoadResult;
}
