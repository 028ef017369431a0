import { performance } from "node:perf_hooks";
import { createClient } from "rivetkit/client";
import type { LocalStack } from "../../dev/stack";
import { withTimeout } from "../../platform/with-timeout";
import type { Registry } from "../../worker/src/actors/registry";
import { putOnTeamPlan } from "../team-plan";
import type { LoadApi, WireEvent } from "./load-api";
import type { LoadSettings } from "./load-settings";
import type { LoadWindow } from "./load-window";
import type { ModelClock } from "./model-time";
import { ThreadTracker } from "./thread-tracker";
import { TURN_END } from "./turn-ends";

type Conn = ReturnType<
  ReturnType<ReturnType<typeof createClient<Registry>>["growAgent"]["getOrCreate"]>["connect"]
>;

/** What all users add up to over the run, for the report. */
export interface LoadTally {
  counts: {
    sent: number;
    completed: number;
    failed: number;
    interrupted: number;
    refused: number;
    received: number;
    reconnects: number;
  };
  turnLatencies: number[];
  turnOverheads: number[];
  turnFailures: Record<string, number>;
  problems: string[];
}

export interface LoadUserRun {
  stack: LocalStack;
  settings: LoadSettings;
  log: (line: string) => void;
  modelClock: ModelClock;
  api: LoadApi;
  tally: LoadTally;
}

export type SimulatedUser = Awaited<ReturnType<typeof simulateUser>>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One user with a live connection to their Grow Agent, sending messages one after another until the window closes.
 * `setUp` is called once the user is ready and answers when the measured window opens.
 */
export async function simulateUser(
  run: LoadUserRun,
  index: number,
  delegates: boolean,
  setUp: () => Promise<LoadWindow>,
) {
  const { stack, settings, log, modelClock, tally } = run;
  const { counts, problems, turnLatencies, turnOverheads, turnFailures } = tally;
  const { api, readLog } = run.api;
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
  const { started, stop } = await setUp();
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
    if (!(await sendOnce(tally, user, threadId, text, nonce))) continue;
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
  { counts, problems }: LoadTally,
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
