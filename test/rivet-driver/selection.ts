/**
 * Which parts of RivetKit's driver test suite the `rivet-driver` project skips, and why. Each pattern is
 * matched against the path of a describe block or test, e.g.
 * `Driver Tests > client type (http) > encoding (bare) > Actor Queue Tests > next timeout returns empty array`.
 * docs/rivetkit-driver.md lists the same, in prose.
 */
/**
 * Tests that call an action returning nothing (directly or in set-up, e.g. `observer.reset()`). With the
 * json encoding the server sends `{}` for an undefined output, and rivetkit 2.2.1's client schema
 * (`output: z.unknown()`) rejects the missing key under zod 4.6.7 ("expected nonoptional"); upstream
 * pins zod 4.1.13, which accepted it. Driver-independent: bare and cbor carry undefined fine.
 */
const JSON_VOID_OUTPUT_TESTS = [
  "actor destroy allows recreation via create",
  "actor destroy allows recreation via getOrCreate with resolve",
  "actor destroy clears state (with connect)",
  "actor destroy clears state (without connect)",
  "actor stop before actor instantiation completes cleans up handler",
  "actor stop called with no actor instance cleans up handler",
  "actor stop during start waits for start to complete",
  "allows and denies subscriptions with canSubscribe",
  "broadcasts undefined events without failing subscriptions",
  "multiple rapid create/destroy cycles handle race correctly",
  "onBeforeActorStart completes before stop proceeds",
  "should connect to other actors and receive events",
  "should handle both stateless and stateful calls",
  "should handle multiple stateless calls",
  "should handle stateful connection independently",
  "should maintain unique state for each connection",
  "should support synchronous actions",
  "stale get handle retries action after actor recreation",
  "stale getOrCreate connection re-resolves after websocket open failure",
  "stale getOrCreate handle retries action after actor destruction",
  "stale getOrCreate handle retries queue send after actor destruction",
  "stale getOrCreate handle retries raw HTTP after actor destruction",
  "stale getOrCreate handle retries raw WebSocket after actor destruction",
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface Skip {
  path: RegExp;
  reason: string;
}

export const SKIPPED: Skip[] = [
  // Not supported by this driver (yet).
  {
    path: /> Actor Database|> Actor Driver Tests > Actor Schedule Tests > Scheduled Alarms > scheduled action can use c\.db/,
    reason:
      "rivetkit/db needs createSqliteVfs or overrideRawDatabaseClient, which the driver does not implement",
  },
  { path: /> Actor Workflow Tests$/, reason: "the workflow engine fixtures are not ported to workerd" },
  {
    path: /> Actor Inspector HTTP API$/,
    reason: "the inspector is disabled: it serves its UI from a tarball on disk, which a Worker has not",
  },
  {
    path: /> Actor State Zod Coercion Tests > .*(sleep|wake)/i,
    reason: "needs actor sleep, which the driver does not implement (Cloudflare evicts idle objects itself)",
  },
  {
    path: new RegExp(`encoding \\(json\\) > .*> (${JSON_VOID_OUTPUT_TESTS.map(escapeRegExp).join("|")})$`),
    reason: "json encoding: rivetkit 2.2.1's client rejects void action outputs under zod 4.6.7 (see above)",
  },
  {
    path: /> Actor Connection State Tests > Connection Communication > should send messages to specific connections$/,
    reason:
      "racy by design: it re-sends inside vi.waitFor (50 ms polls) and then expects exactly one message; " +
      "any delivery slower than a poll sends a second one (seen as 20 under load on two cores)",
  },
  // Fail on this driver; each reason says why.
  {
    path: /> Actor Lifecycle Tests > onDestroy is called even when actor is destroyed during start$/,
    reason:
      "ordering: expects an action sent before a concurrent destroy to observe onDestroy's write; the DO " +
      "starts the actor inside the create RPC, then runs the first action before the destroy",
  },
];

export function skipReason(path: string): string | undefined {
  return SKIPPED.find((skip) => skip.path.test(path))?.reason;
}
