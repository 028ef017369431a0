import type { Env } from "../env";

/**
 * How a sub-agent reaches the user's OpenCode server: Fly's edge with `fly-force-instance-id` picking the user's
 * machine, HTTP Basic with the per-user server password. Backend only: the password never leaves the Worker.
 */
export async function opencodeConnection(
  env: Env,
  userId: string,
): Promise<{ baseUrl: string; headers: Record<string, string> }> {
  const stack = await env.PROVISIONER.stackConnection(userId);
  if (!stack.up.includes("opencode") || !stack.opencodeMachineId || !stack.opencodePassword) {
    throw new Error(`The sandbox is not ready (${stack.status})`);
  }
  return {
    baseUrl: stack.edgeUrl,
    headers: {
      "fly-force-instance-id": stack.opencodeMachineId,
      authorization: `Basic ${btoa(`opencode:${stack.opencodePassword}`)}`,
    },
  };
}
