import { setup } from "rivetkit";
import * as actions from "./fixtures/actions";
import * as connections from "./fixtures/connections";
import * as counters from "./fixtures/counters";
import * as lifecycle from "./fixtures/lifecycle";
import * as queues from "./fixtures/queues";
import * as raw from "./fixtures/raw";

/**
 * The actors RivetKit's driver test suite talks to, by the names upstream's fixture registry uses
 * (rivetkit fixtures/driver-test-suite at v2.2.1), minus those that cannot run in workerd or belong to
 * suites skipped here: databases, sleep, hibernation, workflows, run-handler tests, sandbox, agent-os.
 */
export const registry = setup({
  use: { ...counters, ...actions, ...connections, ...lifecycle, ...queues, ...raw },
});
