import { onFreshStack } from "../fresh-stack";
import { benchAgent, createModelProbe, formatAgentBench } from "./agent-bench";

/** `npx tsx bench/agent/main.ts`: the Grow Agent streaming benchmark alone (npm run bench includes it). */
const probe = createModelProbe();
const result = await onFreshStack("growqr-bench-agent-", (stack) => benchAgent(stack, probe), {
  devModel: { onEvent: probe.onEvent },
});
console.log(formatAgentBench(result));
