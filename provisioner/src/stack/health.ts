import { ROLE_HEALTH_PATHS } from "./machine-spec";
import type { StackRole } from "./stack-record";

export interface HealthTarget {
  role: StackRole;
  machineId: string;
  /** OpenCode answers nothing without its server password (HTTP Basic, user `opencode`). */
  password?: string;
}

/**
 * One probe of one machine through the edge (Fly's proxy in production, dev/fly locally), pinned to the
 * machine with `fly-force-instance-id`: the same path the Grow Agent's traffic takes. Every probe has its own
 * timeout, since a request to a server that is still booting can hang.
 */
export async function probeHealth(
  edgeUrl: string,
  target: HealthTarget,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 3_000,
): Promise<boolean> {
  const headers: Record<string, string> = { "fly-force-instance-id": target.machineId };
  if (target.password) headers.authorization = `Basic ${btoa(`opencode:${target.password}`)}`;
  try {
    const response = await fetchImpl(`${edgeUrl}${ROLE_HEALTH_PATHS[target.role]}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
