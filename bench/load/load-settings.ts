/** What `npm run load` runs (LOAD_* variables, bench/load/main.ts). */
export interface LoadSettings {
  users: number;
  /** How long each user keeps sending messages. */
  durationMs: number;
  /** Share of users whose first message delegates a task to a sub-agent (real OpenCode per user). */
  subAgentShare: number;
  faults: boolean;
  /**
   * A user's pause between the end of one turn and their next message, drawn uniformly from [min, max] ms. The
   * default (0.1–0.5 s) saturates the machine: latency then measures queueing for its cores. A human pace
   * (seconds) measures what a turn costs a user when the machine keeps up.
   */
  thinkMs: [number, number];
  /** LOAD_TRACE=1: print each turn's events with when they arrived, to see where a turn's time goes. */
  trace: boolean;
}

/** From LOAD_USERS, LOAD_SECONDS, LOAD_SUBAGENT_SHARE, LOAD_FAULTS, LOAD_THINK_MS and LOAD_TRACE. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  return {
    users: Number(env.LOAD_USERS ?? 50),
    durationMs: Number(env.LOAD_SECONDS ?? 40) * 1_000,
    subAgentShare: Number(env.LOAD_SUBAGENT_SHARE ?? 0.1),
    faults: env.LOAD_FAULTS !== "0",
    thinkMs: thinkRange(env.LOAD_THINK_MS ?? "100-500"),
    trace: env.LOAD_TRACE === "1",
  };
}

/** `LOAD_THINK_MS`: "min-max" in ms, e.g. "2000-6000". */
export function thinkRange(text: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  const [min, max] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!(min <= max)) throw new Error(`LOAD_THINK_MS must be "min-max" in ms, got "${text}"`);
  return [min, max];
}
