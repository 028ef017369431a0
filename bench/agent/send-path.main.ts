import { onFreshStack } from "../fresh-stack";
import { benchSendPath, formatSendPath } from "./send-path";

/** `npx tsx bench/agent/send-path.main.ts`: the send-path benchmark alone (npm run bench includes it). */
console.log(formatSendPath(await onFreshStack("growqr-bench-send-", (stack) => benchSendPath(stack))));
