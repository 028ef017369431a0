import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startLocalStack } from "../../dev/stack";
import { benchSubAgents, formatSubAgentBench } from "./subagent-bench";

/** `npx tsx bench/subagents/main.ts`: the sub-agent benchmark alone (npm run bench includes it). */
const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-bench-sub-"));
const stack = await startLocalStack({ stateDir, databaseInChildProcess: true, log: () => {} });
try {
  console.log(formatSubAgentBench(await benchSubAgents(stack)));
} finally {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
