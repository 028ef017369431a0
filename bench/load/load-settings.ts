/** What `npm run load` runs (LOAD_* variables, bench/load/main.ts). */
export interface LoadSettings {
  users: number;
  /** How long each user keeps sending messages. */
  durationMs: number;
  /** Share of users whose first message delegates a task to a sub-agent (real OpenCode per user). */
  subAgentShare: number;
  /**
   * LOAD_FAULTS: `all` (default) each fault of fault-plan.ts once, `reload` only reloads of the Workers' code under
   * `wrangler dev` (what a deploy does to running turns), `none` (`0`) none, which also measures cost per turn.
   */
  faults: FaultMode;
  /** LOAD_RELOADS: how many reloads `reload` spreads over the run; default one per 15 s of it. */
  reloads: number;
  /**
   * LOAD_MODEL_PAUSE_MS: dev/model's pause between a reply's stream events (`[[slow:ms]]` in each message). Default
   * 0 (a turn takes ~40 ms), but 50 with `reload` (~1 s a reply of ~20 events, about Claude's pace for 30 words):
   * reloads must meet users mid-turn, and at 0 eight reloads found 0–1 turns in flight.
   */
  modelPauseMs: number;
  /**
   * A user's pause between the end of one turn and their next message, drawn uniformly from [min, max] ms. The
   * default (0.1–0.5 s) saturates the machine: latency then measures queueing for its cores. A human pace
   * (seconds) measures what a turn costs a user when the machine keeps up.
   */
  thinkMs: [number, number];
  /** LOAD_TRACE=1: print each turn's events with when they arrived, to see where a turn's time goes. */
  trace: boolean;
}

export type FaultMode = "all" | "reload" | "none";

/**
 * From LOAD_USERS, LOAD_SECONDS, LOAD_SUBAGENT_SHARE, LOAD_FAULTS, LOAD_RELOADS, LOAD_MODEL_PAUSE_MS, LOAD_THINK_MS
 * and LOAD_TRACE.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  const durationMs = Number(env.LOAD_SECONDS ?? 40) * 1_000;
  const faults = faultMode(env.LOAD_FAULTS);
  return {
    users: Number(env.LOAD_USERS ?? 50),
    durationMs,
    subAgentShare: Number(env.LOAD_SUBAGENT_SHARE ?? 0.1),
    faults,
    reloads: whole("LOAD_RELOADS", env.LOAD_RELOADS, Math.max(1, Math.floor(durationMs / 15_000)), 1),
    modelPauseMs: whole("LOAD_MODEL_PAUSE_MS", env.LOAD_MODEL_PAUSE_MS, faults === "reload" ? 50 : 0, 0),
    thinkMs: thinkRange(env.LOAD_THINK_MS ?? "100-500"),
    trace: env.LOAD_TRACE === "1",
  };
}

/** `LOAD_FAULTS`: unset, `1` or `all`; `reload`; `0` or `none`. Anything else is refused, not read as "on". */
export function faultMode(text: string | undefined): FaultMode {
  const mode = { "": "all", "1": "all", all: "all", reload: "reload", "0": "none", none: "none" } as const;
  const key = (text ?? "").trim();
  if (Object.hasOwn(mode, key)) return mode[key as keyof typeof mode];
  throw new Error(`LOAD_FAULTS must be all (1), reload or none (0), got "${text}"`);
}

/** A whole number ≥ `min`; unset or empty, the default; anything else is refused, naming the variable. */
function whole(name: string, text: string | undefined, fallback: number, min: number): number {
  if (!text?.trim()) return fallback;
  const value = Number(text);
  if (!(Number.isInteger(value) && value >= min))
    throw new Error(`${name} must be a whole number ≥ ${min}, got "${text}"`);
  return value;
}

/** `LOAD_THINK_MS`: "min-max" in ms, e.g. "2000-6000". */
export function thinkRange(text: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  const [min, max] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!(min <= max)) throw new Error(`LOAD_THINK_MS must be "min-max" in ms, got "${text}"`);
  return [min, max];
}
