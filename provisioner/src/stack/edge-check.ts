import { StackFailure } from "./stack-failure";

/**
 * One request to the runtime app's edge, pinned to no machine, before a bring-up waits on machine health. Any
 * HTTP answer (404, 502: Fly's proxy answers even with no machine started) means the edge routes the app. A DNS or
 * connection failure, or no answer in time, means the app has no public IP (Fly gives none until one is
 * allocated) or FLY_EDGE_URL is wrong: without this check the stack would sit in `starting` until the health
 * timeout and fail with a reason that names neither.
 */
export async function assertEdgeReachable(
  edgeUrl: string,
  app: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 5_000,
): Promise<void> {
  try {
    const response = await fetchImpl(`${edgeUrl.replace(/\/+$/, "")}/`, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    await response.body?.cancel();
  } catch (error) {
    throw new StackFailure(
      `the runtime app ${app} does not answer at ${edgeUrl}: it has no public IP (run \`fly ips allocate-v6 -a ${app}\` and \`fly ips allocate-v4 --shared -a ${app}\`) or FLY_EDGE_URL is wrong`,
      { cause: error },
    );
  }
}
