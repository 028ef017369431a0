import { describe, expect, it } from "vitest";
import { spawnSubAgent } from "../support/actors";
import { apiUrl, call, mintToken, uniqueUser } from "../support/api";

interface ActorJson {
  id: string;
  type: string;
  status: string;
  generation: number;
  subAgent: { id: string; threadId: string | null; task: string; status: string } | null;
}

async function signedInUser(prefix: string) {
  const token = await mintToken(uniqueUser(prefix));
  const me = (await (await call("/api/me", token)).json()) as { id: string };
  return { token, id: me.id };
}

const actorsOf = async (token: string) =>
  ((await (await call("/api/actors", token)).json()) as { items: ActorJson[] }).items;

describe("the actors list for the Actors view", () => {
  it("gives each sub-agent its task and thread, only to its owner", async () => {
    const [alice, bob] = [await signedInUser("av-a"), await signedInUser("av-b")];
    const subAgentId = await spawnSubAgent(apiUrl(), alice, "say hello to the actors view");

    const items = await actorsOf(alice.token);
    const grow = items.find((a) => a.type === "growAgent");
    expect(grow).toMatchObject({ status: "active", subAgent: null });
    expect(grow?.generation).toBeGreaterThanOrEqual(0);
    const sub = items.find((a) => a.subAgent?.id === subAgentId);
    expect(sub).toMatchObject({
      type: "subAgent",
      subAgent: {
        id: subAgentId,
        task: expect.stringContaining("say hello to the actors view"),
        status: "completed",
      },
    });
    expect(sub?.subAgent?.threadId).toMatch(/^[0-9a-f-]{36}$/);

    // Bob sees none of it, and cannot stop it.
    expect((await actorsOf(bob.token)).some((a) => a.subAgent?.id === subAgentId)).toBe(false);
    expect((await call(`/api/actors/${sub?.id}/stop`, bob.token, { method: "POST" })).status).toBe(404);
    const stopped = await call(`/api/actors/${sub?.id}/stop`, alice.token, { method: "POST" });
    expect(await stopped.json()).toMatchObject({ status: "destroyed", subAgent: { id: subAgentId } });
  }, 150_000);
});
