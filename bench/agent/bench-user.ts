import { createClient } from "rivetkit/client";
import type { LocalStack } from "../../dev/stack";
import type { Registry } from "../../worker/src/actors/registry";
import { putOnTeamPlan } from "../team-plan";

/**
 * A fresh user on the team plan (so no allowance stops a long run), with what the agent benches need: REST headers,
 * a way to open threads, and a RivetKit client for their Grow Agent.
 */
export async function benchUser(stack: LocalStack, prefix: string) {
  const token = await stack.issuer.mint(`${prefix}-${crypto.randomUUID().slice(0, 6)}`, {
    ttlSeconds: 3_600,
  });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const me = (await (await fetch(`${stack.apiUrl}/api/me`, { headers })).json()) as { id: string };
  await putOnTeamPlan(stack, me.id);
  const newThread = async () =>
    (
      (await (
        await fetch(`${stack.apiUrl}/api/threads`, { method: "POST", headers, body: "{}" })
      ).json()) as {
        id: string;
      }
    ).id;
  const client = createClient<Registry>({
    endpoint: `${stack.apiUrl}/api/rivet`,
    headers: { authorization: `Bearer ${token}` },
  });
  const connect = () => client.growAgent.getOrCreate([me.id], { params: { token } }).connect();
  return { token, headers, userId: me.id, newThread, client, connect };
}
