import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { repoRoot, startLocalStack } from "../../dev/stack";
import { formatProfile, sourceMapResolver, startCpuProfile, summarizeProfile } from "./cpu-profile";
import { doEntryPoints, startDoRequestCount } from "./do-requests";
import { openInspector } from "./inspector";
import { formatLoad } from "./load-report";
import { runLoad } from "./load-run";
import { loadSettings } from "./load-settings";
import { createModelClock } from "./model-time";

/**
 * `npm run load`: the load and fault run on loopback (LOAD_USERS, LOAD_SECONDS, LOAD_SUBAGENT_SHARE, LOAD_THINK_MS,
 * LOAD_FAULTS=0 to run without faults or =reload for only LOAD_RELOADS reloads of the Workers' code (replies then
 * stream over ~1 s, LOAD_MODEL_PAUSE_MS), LOAD_TRACE=1 for each turn's event timeline, LOAD_PROFILE=1 for a CPU
 * profile of the Workers' JavaScript). Without faults it counts the Durable Object requests per turn through the
 * inspector (a fault restarts workerd, which would end that session). Writes bench/results/load.json; exits 1 unless
 * every event arrived exactly once.
 */
const settings = loadSettings();
const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-load-"));
const modelClock = createModelClock();
const stack = await startLocalStack({
  stateDir,
  databaseInChildProcess: true,
  log: () => {},
  devModel: { onEvent: modelClock.onEvent },
});
let ok = false;
try {
  const out = path.join(repoRoot, "bench/results");
  await mkdir(out, { recursive: true });
  const inspector = settings.faults !== "none" ? undefined : await openInspector(stack.inspectorUrl());
  const profiler =
    inspector && process.env.LOAD_PROFILE === "1" ? await startCpuProfile(inspector) : undefined;
  const doRequests = inspector && (await startDoRequestCount(inspector, await doEntryPoints(repoRoot)));
  const result = await runLoad(stack, settings, (line) => console.log(line), modelClock, doRequests);
  console.log(formatLoad(result));
  if (profiler) {
    const { profile, maps } = await profiler.stop();
    // Opens in Chrome DevTools (Performance → Load profile) or speedscope.
    await writeFile(path.join(out, "load.cpuprofile"), JSON.stringify(profile));
    console.log(formatProfile(summarizeProfile(profile, sourceMapResolver(maps))));
  }
  inspector?.close();
  await writeFile(path.join(out, "load.json"), `${JSON.stringify(result, null, 2)}\n`);
  ok = result.exactlyOnce;
} finally {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
