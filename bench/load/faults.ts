import type { LocalStack } from "../../dev/stack";
import type { LoadResult } from "./load-report";

export type Fault =
  /** The Machines API answers 429 then 503 for a while: provisioning must retry and recover. */
  | { kind: "fly-errors" }
  /** The git server unreachable: memory writes wait in the outbox and all land once it is back. */
  | { kind: "git-down"; forMs: number }
  /** The database unreachable: clear refusals, no crash, recovery without a restart. */
  | { kind: "database-down"; forMs: number }
  /** A user's OpenCode machine stopped under a running sub-agent: that sub-agent fails cleanly. */
  | { kind: "kill-opencode" }
  /** `wrangler dev` restarted: actors come back with their state, interrupted turns are marked. */
  | { kind: "restart-workers" }
  /**
   * The Workers' code reloaded inside `wrangler dev`, as a deploy does: every object restarts mid-turn while the
   * port stays up; each acknowledged message is still answered exactly once (reliability.md, item 7).
   */
  | { kind: "reload-workers" };

export type FaultPlan = Array<Fault & { atMs: number }>;

/** What became of one fault of the plan: for the report's counts (how many reloads really happened). */
export interface FaultOutcome {
  kind: Fault["kind"];
  injected: boolean;
  ms: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Injects each fault at its time from now, one after another; reports what it did. */
export async function runFaults(
  stack: LocalStack,
  plan: FaultPlan,
  report: (line: string) => void,
): Promise<FaultOutcome[]> {
  const start = Date.now();
  const outcomes: FaultOutcome[] = [];
  for (const fault of plan) {
    await sleep(Math.max(0, start + fault.atMs - Date.now()));
    const began = Date.now();
    try {
      const what = await inject(stack, fault);
      outcomes.push({ kind: fault.kind, injected: true, ms: Date.now() - began });
      report(`${what} at ${Math.round((began - start) / 100) / 10} s (${Date.now() - began} ms)`);
    } catch (error) {
      outcomes.push({ kind: fault.kind, injected: false, ms: Date.now() - began });
      report(`${fault.kind} could not be injected: ${error instanceof Error ? error.message : error}`);
    }
  }
  return outcomes;
}

async function inject(stack: LocalStack, fault: Fault): Promise<string> {
  switch (fault.kind) {
    case "fly-errors": {
      const fly = needFly(stack);
      await devFly(fly, "/_dev/faults", {
        rules: [
          { path: "/machines", status: 429, count: 3, retryAfterSeconds: 1 },
          { path: "/machines", status: 503, count: 3 },
        ],
      });
      return "Machines API answers 429 ×3 then 503 ×3";
    }
    case "git-down":
      await stack.interruptGit(fault.forMs);
      return `git server unreachable for ${fault.forMs} ms`;
    case "database-down":
      await stack.interruptDatabase(fault.forMs);
      return `database unreachable for ${fault.forMs} ms`;
    case "kill-opencode": {
      const fly = needFly(stack);
      const state = (await (await fetch(`${devBase(fly)}/_dev/state`)).json()) as {
        machines: Array<{ id: string; app: string; name: string; state: string }>;
      };
      const victim = state.machines.find((m) => m.state === "started" && m.name.includes("opencode"));
      if (!victim) return "no OpenCode machine was running: none stopped";
      const stopped = await fetch(`${fly.apiUrl}/apps/${victim.app}/machines/${victim.id}/stop`, {
        method: "POST",
        headers: { authorization: `Bearer ${fly.token}` },
      });
      return `OpenCode machine ${victim.id} stopped (${stopped.status})`;
    }
    case "restart-workers":
      await stack.restartWorkers();
      return "wrangler dev restarted";
    case "reload-workers":
      await stack.reloadWorkers();
      return "Workers reloaded inside wrangler dev";
  }
}

/** How many of the planned reloads of the Workers happened (none planned: nothing to report). */
export function reloadCounts(outcomes: FaultOutcome[]): LoadResult["reloads"] {
  const reloads = outcomes.filter((o) => o.kind === "reload-workers");
  if (reloads.length === 0) return undefined;
  const done = reloads.filter((o) => o.injected);
  return {
    planned: reloads.length,
    done: done.length,
    slowestMs: Math.max(0, ...done.map((o) => o.ms)),
  };
}

function needFly(stack: LocalStack) {
  if (!stack.fly) throw new Error("needs dev/fly");
  return stack.fly;
}

const devBase = (fly: NonNullable<LocalStack["fly"]>) => fly.apiUrl.replace(/\/v1$/, "");

async function devFly(fly: NonNullable<LocalStack["fly"]>, path: string, body: unknown) {
  const response = await fetch(`${devBase(fly)}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
}
