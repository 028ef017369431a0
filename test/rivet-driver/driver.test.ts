import { randomUUID } from "node:crypto";
import { runDriverTests } from "rivetkit/driver-test-suite";
import { inject } from "vitest";

const base = inject("rivetDriverBase");

/**
 * RivetKit's own driver test suite against the project's Durable Objects driver, served by one shared
 * `wrangler dev` (global-setup.ts). `start()` runs once per test case and hands out a fresh key scope, so
 * the suite's fixed actor keys never collide between cases, client types or encodings.
 * Which suites run, and why the others are skipped: README, section "RivetKit driver".
 */
runDriverTests({
  start: async () => ({
    endpoint: `${base}/s/${randomUUID()}/api/rivet`,
    namespace: "default",
    runnerName: "default",
    cleanup: async () => {},
  }),
  useRealTimers: true,
  // The client's dispose() waits for sockets that workerd closes lazily; the server outlives the test anyway.
  HACK_skipCleanupNet: true,
  skip: { sleep: true, hibernation: true, sandbox: true, agentOs: true },
});
