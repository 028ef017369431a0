import { performance } from "node:perf_hooks";
import type { LocalStack } from "../../dev/stack";
import { faultPlan } from "./fault-plan";
import { reloadCounts, runFaults } from "./faults";
import type { LoadSettings } from "./load-settings";
import { sampleCost } from "./turn-cost";

/** The measured window, on `performance.now()`'s clock: when it opened and when users stop sending. */
export interface LoadWindow {
  started: number;
  stop: number;
}

/** Counts calls into the Durable Objects over the load window (do-requests.ts); runs without faults only. */
export interface DoRequestCount {
  reset(): Promise<void>;
  take(): Promise<Map<string, number>>;
}

/**
 * Runs every user through the measured window: the stack's cost is sampled around it (without faults) and the
 * fault plan injected during it. `startUser`'s `setUp` is called once that user is ready and answers when the
 * window opens.
 */
export async function measureWindow<User>(
  stack: LocalStack,
  settings: LoadSettings,
  log: (line: string) => void,
  doRequests: DoRequestCount | undefined,
  startUser: (index: number, setUp: () => Promise<LoadWindow>) => Promise<User>,
) {
  // Users are signed in, connected and their stacks up before the window opens: what is measured is turns, not
  // 50 sign-ups and machine creations at the same instant.
  let openWindow = (_window: LoadWindow) => {};
  const windowOpen = new Promise<LoadWindow>((resolve) => {
    openWindow = resolve;
  });
  const readies: Promise<void>[] = [];
  const running = Array.from({ length: settings.users }, (_, i) => {
    let ready = () => {};
    readies.push(new Promise<void>((resolve) => (ready = resolve)));
    return startUser(i, () => {
      ready();
      return windowOpen;
    });
  });
  await Promise.all(readies.map((ready, i) => Promise.race([ready, running[i]?.catch(() => {})])));

  const costBefore = settings.faults !== "none" ? undefined : await sampleCost(stack.wsProxy);
  if (costBefore) await doRequests?.reset();
  const started = performance.now();
  openWindow({ started, stop: started + settings.durationMs });
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
  return { started, simulated, faultLog, reloads, costBefore, costAfter, doCalls };
}
