import type { LocalStack } from "../../dev/stack";

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
  | { kind: "restart-workers" };

export type FaultPlan = Array<Fault & { atMs: number }>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Injects each fault at its time from now, one after another; reports what it did. */
export async function runFaults(stack: LocalStack, plan: FaultPlan, report: (line: string) => void) {
  const start = Date.now();
  for (const fault of plan) {
    await sleep(Math.max(0, start + fault.atMs - Date.now()));
    const began = Date.now();
    try {
      const what = await inject(stack, fault);
      report(`${what} at ${Math.round((began - start) / 100) / 10} s (${Date.now() - began} ms)`);
    } catch (error) {
      report(`${fault.kind} could not be injected: ${error instanceof Error ? error.message : error}`);
    }
  }
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
  }
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
