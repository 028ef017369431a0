import { onFreshStack } from "../fresh-stack";
import { benchSubAgents, formatSubAgentBench } from "./subagent-bench";

/** `npx tsx bench/subagents/main.ts`: the sub-agent benchmark alone (npm run bench includes it). */
console.log(formatSubAgentBench(await onFreshStack("growqr-bench-sub-", benchSubAgents)));
