import { performance } from "node:perf_hooks";
import { createClient } from "rivetkit/client";
import type { LocalStack } from "../../dev/stack";
import { withTimeout } from "../../platform/with-timeout";
import type { Registry } from "../../worker/src/actors/registry";
import { latency } from "../actors/stats";
import { putOnTeamPlan } from "../team-plan";
import { faultPlan } from "./fault-plan";
import { reloadCounts, runFaults } from "./faults";
import type { LoadResult } from "./load-report";
import type { LoadSettings } from "./load-settings";
import type { ModelClock } from "./model-time";
import { type SeqEvent, ThreadTracker } from "./thread-tracker";
import { costPerTurn, sampleCost } from "./turn-cost";

interface WireEvent extends SeqEvent {
  threadId: string;
  data: Record<string, unknown>;
}

type Conn = ReturnType<
  ReturnType<ReturnType<typeof createClient<Registry>>["growAgent"]["getOrCreate"]>["connect"]
>;

const TURN_END = new Set(["turn.completed", "turn.failed", "turn.interrupted", "turn.cancelled"]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  doRequests?: { reset(): Promise<void>; take(): Promise<Map<string, number>> },
) {
  const turnLatencies: number[] = [];
  const turnOverheads: number[] = [];
  const turnFailures: Record<string, number> = {};
  const counts = { sent: 0, completed: 0, failed: 0, interrupted: 0, refused: 0, received: 0, reconnects: 0 };
  const problems: string[] = [];
  const subAgentUsers = Math.round(settings.users * settings.subAgentShare);

  // Users are signed in, connected and their stacks up before the window opens: what is measured is turns, not
  // 50 sign-ups and machine creations at the same instant.
  let openWindow = () => {};
  const windowOpen = new Promise<void>((resolve) => {
    openWindow = resolve;
  });
  let started = performance.now();
  let stop = Number.POSITIVE_INFINITY;
  const readies: Promise<void>[] = [];
  const running = Array.from({ length: settings.users }, (_, i) => {
    let ready = () => {};
    readies.push(new Promise<void>((resolve) => (ready = resolve)));
    return simulateUser(i, i < subAgentUsers, () => {
      ready();
      return windowOpen;
    });
  });
  await Promise.all(readies.map((ready, i) => Promise.race([ready, running[i]?.catch(() => {})])));

  const costBefore = settings.faults !== "none" ? undefined : await sampleCost(stack.wsProxy);
  if (costBefore) await doRequests?.reset();
  started = performance.now();
  stop = started + settings.durationMs;
  openWindow();
  const faultLog: string[] = [];
  const plan = faultPlan(settings);
  const faults = runFaults(stack, plan, (line) => {
    faultLog.push(line);
    log(`fault: ${line}`);
  });

  // Faults are awaited even when a user fails, so none fires (restarting Gitea, say) after the stack stops.
  const simulated = await Promise.allSettled(running);
  const reloads = reloadCounts(await faults);
  const costAfter = costBefore && (await sampleCost(stack.wsProxy));
  const doCalls = costAfter ? await doRequests?.take() : undefined;
  const users = simulated.flatMap((r, i) => {
    if (r.status === "fulfilled") return [r.value];
    problems.push(`user ${i}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    return [];
  });
  const seconds = (performance.now() - started) / 1_000;

  let duplicateBroadcasts = 0;
  let resumes = 0;
  const subAgents = { spawned: 0, completed: 0, failed: 0, reasons: {} as Record<string, number> };
  const memory = { acknowledged: 0, pendingWhenAcknowledged: 0, landed: 0 };
  for (const user of users) {
    const logged = await readLog(user.token, user.threadId);
    const trackerProblems = user.tracker.compare(logged);
    problems.push(...trackerProblems.map((p) => `user ${user.index}: ${p}`));
    duplicateBroadcasts += user.tracker.duplicateBroadcasts;
    resumes += user.tracker.resumes;
    for (const nonce of user.acknowledged) {
      const copies = logged.filter((e) => e.type === "message.user" && String(e.data.text).includes(nonce));
      if (copies.length !== 1) problems.push(`user ${user.index}: message ${nonce} logged ${copies.length}×`);
    }
    const turnProblems = turnEndProblems(logged);
    if (turnProblems.length > 0) {
      const outline = logged
        .filter((e) => e.type.startsWith("turn.") || e.type === "message.user")
        .map((e) => `${e.seq}:${e.type}:${String(e.data.turnId ?? e.data.messageId ?? "").slice(-6)}`);
      problems.push(`user ${user.index}: ${turnProblems.join("; ")}: ${outline.join(" ")}`);
    }
    const acknowledgedWrites = memoryWritesAcknowledged(logged);
    memory.acknowledged += acknowledgedWrites.length;
    memory.pendingWhenAcknowledged += logged.filter(
      (e) =>
        e.type === "tool.result" &&
        e.data.name === "commit_memory" &&
        String(e.data.content).includes('"pending"'),
    ).length;
    for (const path of acknowledgedWrites) {
      if (await landedInGit(user.token, path)) memory.landed++;
      else problems.push(`user ${user.index}: memory write ${path} acknowledged but not in git`);
    }
    subAgents.spawned += logged.filter((e) => e.type === "subagent.spawned").length;
    for (const e of logged.filter((e) => e.type === "subagent.finished")) {
      if (e.data.status === "completed") subAgents.completed++;
      else {
        subAgents.failed++;
        const reason = String(e.data.error ?? e.data.status);
        subAgents.reasons[reason] = (subAgents.reasons[reason] ?? 0) + 1;
      }
    }
    await withTimeout(user.conn.dispose(), 5_000).catch(() => {});
  }

  return {
    settings,
    turns: {
      sent: counts.sent,
      completed: counts.completed,
      failed: counts.failed,
      interrupted: counts.interrupted,
      latency: latency(turnLatencies),
      overhead: latency(turnOverheads),
      failures: turnFailures,
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
    faults: faultLog,
    ...(reloads ? { reloads } : {}),
    ...(costBefore && costAfter
      ? { perTurn: costPerTurn(costBefore, costAfter, counts.completed, doCalls) }
      : {}),
    exactlyOnce: problems.length === 0,
    problems,
    seconds: Math.round(seconds * 10) / 10,
  } satisfies LoadResult;

  /** `setUp` is called once the user is ready and answers when the measured window opens. */
  async function simulateUser(index: number, delegates: boolean, setUp: () => Promise<void>) {
    const remembers = index % 5 === 2;
    const token = await stack.issuer.mint(`load-${index}-${crypto.randomUUID().slice(0, 6)}`, {
      ttlSeconds: 3_600,
    });
    const me = (await api<{ id: string }>(token, "/api/me")).id;
    await putOnTeamPlan(stack, me);
    const threadId = (await api<{ id: string }>(token, "/api/threads", { method: "POST", body: "{}" })).id;
    const tracker = new ThreadTracker();
    // LOAD_TRACE=1: each turn's events with when they arrived (ms after the send), printed when it ends.
    let trace: string[] = [];
    let traceStart = 0;
    // Each turn end with when it arrived: latency ends there, not at the loop's next look.
    const ended: { event: WireEvent; at: number }[] = [];
    let wakeTurn = () => {};
    const endTurn = (event: WireEvent) => {
      ended.push({ event, at: performance.now() });
      wakeTurn();
    };
    let resuming: Promise<void> | undefined;
    let lastResume = 0;
    const resume = () => {
      lastResume = performance.now();
      resuming ??= readLog(token, threadId, tracker.lastSeq)
        .then((events) => {
          for (const e of tracker.resume(events)) if (TURN_END.has(e.type)) endTurn(e);
        })
        .catch(() => {})
        .finally(() => {
          resuming = undefined;
        });
      return resuming;
    };
    const onEvent = (event: WireEvent) => {
      if (event.threadId !== threadId) return;
      counts.received++;
      if (settings.trace) trace.push(`${event.type}@${(performance.now() - traceStart).toFixed(1)}`);
      const outcome = tracker.live(event);
      if (outcome === "gap")
        void resume().then(() => {
          if (tracker.live(event) === "accepted" && TURN_END.has(event.type)) endTurn(event);
        });
      if (outcome === "accepted" && TURN_END.has(event.type)) endTurn(event);
    };
    // RivetKit's lookups carry only the client's fixed headers, so each user has a client of their own.
    const client = createClient<Registry>({
      endpoint: `${stack.apiUrl}/api/rivet`,
      headers: { authorization: `Bearer ${token}` },
    });
    const connect = () => {
      const next: Conn = client.growAgent.getOrCreate([me], { params: { token } }).connect();
      next.on("event", onEvent);
      return next;
    };
    // What the SPA does after a dropped connection that does not come back: a new one, then a resume.
    const user = {
      conn: connect(),
      async reconnect() {
        const old = user.conn;
        user.conn = connect();
        void withTimeout(old.dispose(), 5_000).catch(() => {});
        counts.reconnects++;
        await resume();
      },
    };
    await withTimeout(user.conn.whoami(), 30_000);
    // A user who delegates or remembers has had a stack before (created and woken once; suspended meanwhile).
    if (delegates || remembers) await api(token, "/api/stack/wake", { method: "POST" });
    await setUp();
    // Arrivals spread over one pause, as real users' are, instead of 50 messages in the same millisecond.
    await sleep(Math.random() * settings.thinkMs[1]);

    const acknowledged: string[] = [];
    const pace = settings.modelPauseMs > 0 ? ` [[slow:${settings.modelPauseMs}]]` : "";
    for (let turn = 0; performance.now() < stop; turn++) {
      const nonce = `n${index}-${turn}-${crypto.randomUUID().slice(0, 6)}`;
      const text =
        (delegates && turn === 0
          ? `delegate this: write one line about load run ${nonce}`
          : remembers && turn % 3 === 1
            ? `remember load note ${nonce}`
            : `load message ${nonce} [[words:30]]`) + pace;
      const sentAt = performance.now();
      traceStart = sentAt;
      trace = [];
      const sentAtWall = Date.now();
      const endsBefore = ended.length;
      if (!(await sendOnce(user, threadId, text, nonce))) continue;
      acknowledged.push(nonce);
      counts.sent++;
      // The turn's end, live or (after a dropped connection) from the log.
      const deadline = sentAt + 180_000;
      while (ended.length === endsBefore && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          wakeTurn = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (performance.now() - sentAt > 3_000 && performance.now() - lastResume > 2_000) await resume();
      }
      const { event: end, at: endedAt } = ended[endsBefore] ?? {};
      if (!end || endedAt === undefined) {
        // When it was sent, on the fault log's clock: which fault (a reload, say) it met.
        const at = ((sentAt - started) / 1_000).toFixed(1);
        problems.push(`user ${index}: no end for turn ${turn} (message ${nonce}, sent at ${at} s)`);
        continue;
      }
      const turnMs = endedAt - sentAt;
      turnLatencies.push(turnMs);
      if (settings.trace) log(`user ${index} turn ${turn}, ${Math.round(turnMs)} ms: ${trace.join(" ")}`);
      turnOverheads.push(turnMs - modelClock.modelMs(me, sentAtWall, sentAtWall + turnMs));
      if (end.type === "turn.completed") counts.completed++;
      else if (end.type === "turn.interrupted") counts.interrupted++;
      else {
        counts.failed++;
        const code = String(end.data?.code ?? end.type);
        turnFailures[code] = (turnFailures[code] ?? 0) + 1;
      }
      const [thinkMin, thinkMax] = settings.thinkMs;
      await sleep(thinkMin + Math.random() * (thinkMax - thinkMin));
    }
    // A fresh read after any that is in flight, so it covers the turn's last events.
    while (resuming) await resuming;
    await resume();
    return { index, token, threadId, tracker, conn: user.conn, acknowledged };
  }

  /**
   * Sends a message; a refused call (the database away, the Worker restarting) is retried with backoff under the
   * same idempotency key (the nonce), so an answer lost on the way back cannot store it twice: the resend is
   * answered `replayed`.
   */
  async function sendOnce(
    user: { conn: Conn; reconnect(): Promise<void> },
    threadId: string,
    text: string,
    nonce: string,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        await withTimeout(user.conn.sendMessage(threadId, text, { idempotencyKey: nonce }), 15_000);
        return true;
      } catch {
        counts.refused++;
        if (attempt >= 1) await user.reconnect();
        await sleep(Math.min(8_000, 250 * 2 ** attempt));
      }
    }
    problems.push(`message ${nonce} refused 8 times`);
    return false;
  }

  async function api<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      }).catch(() => undefined);
      if (response?.ok) return (await response.json()) as T;
      if (attempt >= 8) throw new Error(`${path}: ${response?.status ?? "no answer"}`);
      await sleep(Math.min(8_000, 250 * 2 ** attempt));
    }
  }

  /** A write acknowledged while git was down waits in the outbox; the actor's retry alarm commits it later. */
  async function landedInGit(token: string, path: string): Promise<boolean> {
    const deadline = performance.now() + 90_000;
    while (performance.now() < deadline) {
      const history = await api<{ items: unknown[] }>(
        token,
        `/api/memory/history?path=${encodeURIComponent(path)}`,
      ).catch(() => ({ items: [] }));
      if (history.items.length > 0) return true;
      await sleep(1_000);
    }
    return false;
  }

  /** The thread's log after `after`, paged, as any API consumer reads it. */
  async function readLog(token: string, threadId: string, after = 0): Promise<WireEvent[]> {
    const all: WireEvent[] = [];
    for (;;) {
      const page = await api<{ items: WireEvent[] }>(
        token,
        `/api/threads/${threadId}/events?after=${after + all.length}&limit=100`,
      );
      all.push(...page.items);
      if (page.items.length < 100) return all;
    }
  }
}

/** Every started turn ends exactly once; no turn ends twice (a turn may fail before it starts). */
export function turnEndProblems(
  logged: readonly { type: string; data: Record<string, unknown> }[],
): string[] {
  const ends = new Map<string, number>();
  for (const e of logged) {
    if (TURN_END.has(e.type)) ends.set(String(e.data.turnId), (ends.get(String(e.data.turnId)) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const e of logged) {
    if (e.type === "turn.started" && !ends.has(String(e.data.turnId)))
      problems.push(`turn ${e.data.turnId} never ended`);
  }
  for (const [turnId, count] of ends) if (count > 1) problems.push(`turn ${turnId} ended ${count}×`);
  return problems;
}

/** Paths of the thread's commit_memory calls whose result was a success. */
function memoryWritesAcknowledged(logged: readonly WireEvent[]): string[] {
  const ok = new Set(
    logged
      .filter((e) => e.type === "tool.result" && e.data.name === "commit_memory" && e.data.isError === false)
      .map((e) => String(e.data.toolUseId)),
  );
  return logged
    .filter(
      (e) => e.type === "tool.call" && e.data.name === "commit_memory" && ok.has(String(e.data.toolUseId)),
    )
    .map((e) => String((e.data.input as { path?: string }).path));
}
