import { rm } from "node:fs/promises";
import { startLocalStack } from "../../dev/stack";
import { benchStateDir } from "../state-dir";
import { benchAgent, createModelProbe, formatAgentBench } from "./agent-bench";

/** `npx tsx bench/agent/main.ts`: the Grow Agent streaming benchmark alone (npm run bench includes it). */
const probe = createModelProbe();
const { dir: stateDir } = await benchStateDir("growqr-bench-agent-");
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
