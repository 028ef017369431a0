import { StackFailure } from "./stack-failure";

/**
 * One request to the runtime app's edge before a bring-up waits on machine health, pinned to a machine of this
 * user's that is about to start (`fly-force-instance-id`: unpinned, Fly's proxy would pick any machine of the app,
 * and autostart could wake another user's). Any HTTP answer (401, 404, 502) means the edge routes the app. A DNS or
 * connection failure means the app has no public IP (Fly gives none until one is allocated) or FLY_EDGE_URL is
 * wrong: without this check the stack would sit in `starting` until the health timeout and fail with a reason that
 * names neither. No answer in time proves nothing (a machine still booting): the health probes decide then.
 */
export async function assertEdgeReachable(
  edgeUrl: string,
  app: string,
  machineId: string | undefined,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 5_000,
): Promise<void> {
  try {
    const response = await fetchImpl(`${edgeUrl.replace(/\/+$/, "")}/`, {
      headers: machineId ? { "fly-force-instance-id": machineId } : {},
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    await response.body?.cancel();
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return;
    throw new StackFailure(
      `the runtime app ${app} does not answer at ${edgeUrl}: it has no public IP (run \`fly ips allocate-v6 -a ${app}\` and \`fly ips allocate-v4 --shared -a ${app}\`) or FLY_EDGE_URL is wrong`,
      { cause: error },
    );
  }
}
