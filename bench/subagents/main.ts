import { rm } from "node:fs/promises";
import { startLocalStack } from "../../dev/stack";
import { benchStateDir } from "../state-dir";
import { benchSubAgents, formatSubAgentBench } from "./subagent-bench";

/** `npx tsx bench/subagents/main.ts`: the sub-agent benchmark alone (npm run bench includes it). */
const { dir: stateDir } = await benchStateDir("growqr-bench-sub-");
const stack = await startLocalStack({ stateDir, databaseInChildProcess: true, log: () => {} });
try {
  console.log(formatSubAgentBench(await benchSubAgents(stack)));
} finally {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
