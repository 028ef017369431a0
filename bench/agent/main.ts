import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startLocalStack } from "../../dev/stack";
import { benchAgent, createModelProbe, formatAgentBench } from "./agent-bench";

/** `npx tsx bench/agent/main.ts`: the Grow Agent streaming benchmark alone (npm run bench includes it). */
const probe = createModelProbe();
const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-bench-agent-"));
const stack = await startLocalStack({
  stateDir,
  databaseInChildProcess: true,
  log: () => {},
  devModel: { onEvent: probe.onEvent },
});
try {
  console.log(formatAgentBench(await benchAgent(stack, probe)));
} finally {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
