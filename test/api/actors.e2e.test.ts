import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient, errorCode, eventually, spawnSubAgent, startDroppableRelay } from "../support/actors";
import { apiUrl, call, mintToken, uniqueUser } from "../support/api";

interface Me {
  id: string;
}

async function signedInUser(prefix: string) {
  const username = uniqueUser(prefix);
  const token = await mintToken(username);
  const me = (await (await call("/api/me", token)).json()) as Me;
  return { username, token, id: me.id };
}

const expiredTokenFor = (username: string) =>
  mintToken(username, { now: Math.floor(Date.now() / 1000) - 3_600, ttlSeconds: 60 });

describe("actors: ownership and per-connection auth", () => {
  const client = () => actorClient(apiUrl());
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  let bob: Awaited<ReturnType<typeof signedInUser>>;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([signedInUser("alice"), signedInUser("bob")]);
  });

  it("a user's Grow Agent knows its caller from the token alone", async () => {
    const conn = client()
      .growAgent.getOrCreate([alice.id], { params: { token: alice.token } })
      .connect();
    try {
      expect(await conn.whoami()).toMatchObject({ userId: alice.id });
    } finally {
      await conn.dispose();
    }
  });

  it("refuses another user's Grow Agent over a connection and over a stateless call", async () => {
    // Finding it by key is refused (the manager call carries Bob's token as a bearer header).
    const handle = client().growAgent.getOrCreate([alice.id], { params: { token: bob.token } });
    await expect(handle.whoami()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");

    // So is reaching it by its id, should Bob learn it: by a call and by a connection.
    const aliceActorId = await client()
      .growAgent.getOrCreate([alice.id], { params: { token: alice.token } })
      .resolve();
    const byId = actorClient(apiUrl(), bob.token).growAgent.getForId(aliceActorId, {
      params: { token: bob.token },
    });
    await expect(byId.whoami()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    const conn = byId.connect();
    const refused = new Promise<unknown>((resolve) => conn.onError(resolve));
    try {
      expect(errorCode(await refused)).toBe("forbidden");
      await expect(conn.whoami()).rejects.toBeDefined();
    } finally {
      await conn.dispose();
    }
  });

  it("refuses another user's sub-agent; lists and stops only the caller's own actors", async () => {
    // Clients cannot create sub-agents: Alice's Grow Agent starts this one (dev/model delegates, OpenCode runs it).
    const subAgentId = await spawnSubAgent(apiUrl(), alice);
    const sub = client().subAgent.get([alice.id, subAgentId], { params: { token: alice.token } });
    expect(await sub.describe()).toMatchObject({ subAgentId, status: "completed" });

    const asBob = client().subAgent.get([alice.id, subAgentId], { params: { token: bob.token } });
    await expect(asBob.describe()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    await expect(asBob.stop()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    // No client creates a sub-agent: Bob not under Alice's key, Alice not under her own.
    for (const [token, key] of [
      [bob.token, [alice.id, "bobs"]],
      [alice.token, [alice.id, "own"]],
    ] as const) {
      await expect(
        client()
          .subAgent.create(key as unknown as [string, string], { params: { token }, input: { task: "x" } })
          .then((h) => h.describe()),
      ).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    }

    const aliceList = (await (await call("/api/actors", alice.token)).json()) as {
      items: Array<{ id: string; type: string; key: string[]; status: string }>;
    };
    expect(aliceList.items.some((a) => a.type === "subAgent" && a.key[1] !== subAgentId)).toBe(false);
    const aliceSub = aliceList.items.find((a) => a.type === "subAgent" && a.key[1] === subAgentId);
    expect(aliceSub?.status).toBe("active");
    const bobList = (await (await call("/api/actors", bob.token)).json()) as {
      items: Array<{ key: string[] }>;
    };
    expect(bobList.items.every((a) => a.key[0] === bob.id)).toBe(true);

    expect((await call(`/api/actors/${aliceSub?.id}/stop`, bob.token, { method: "POST" })).status).toBe(404);
    const stopped = await call(`/api/actors/${aliceSub?.id}/stop`, alice.token, { method: "POST" });
    expect(stopped.status).toBe(200);
    expect(((await stopped.json()) as { status: string }).status).toBe("destroyed");
    // A handle resolved before the stop must not reach a later actor under the same key.
    await expect(sub.describe()).rejects.toBeDefined();
  }, 150_000);

  it("refuses an expired token at connect and when finding the actor", async () => {
    const token = await expiredTokenFor(alice.username);
    const conn = actorClient(apiUrl(), alice.token)
      .growAgent.getOrCreate([alice.id], { params: { token } })
      .connect();
    const refused = new Promise<unknown>((resolve) => conn.onError(resolve));
    try {
      expect(errorCode(await refused)).toBe("token_expired");
    } finally {
      await conn.dispose();
    }
    await expect(
      actorClient(apiUrl(), token).growAgent.getOrCreate([alice.id], { params: { token } }).resolve(),
    ).rejects.toSatisfy((e) => errorCode(e) === "token_expired");
  });

  describe("reconnect", () => {
    let relay: Awaited<ReturnType<typeof startDroppableRelay>>;
    beforeAll(async () => {
      relay = await startDroppableRelay(apiUrl());
    });
    afterAll(() => relay.close());

    it("fetches fresh params on reconnect and refuses the reconnect when that token has expired", async () => {
      let nextToken = alice.token;
      // The manager call that finds the actor carries the token as a bearer header, as the SPA sends it.
      const conn = actorClient(relay.url, alice.token)
        .growAgent.getOrCreate([alice.id], { getParams: async () => ({ token: nextToken }) })
        .connect();
      const errors: unknown[] = [];
      conn.onError((error) => errors.push(error));
      try {
        expect(await conn.whoami()).toMatchObject({ userId: alice.id });

        nextToken = await expiredTokenFor(alice.username);
        relay.dropAll();
        await eventually(() => expect(errors.map(errorCode)).toContain("token_expired"), 15_000);
        expect(conn.connStatus).not.toBe("connected");

        // A fresh token lets the same connection object back in.
        nextToken = await mintToken(alice.username);
        await eventually(() => expect(conn.connStatus).toBe("connected"), 20_000);
        expect(await conn.whoami()).toMatchObject({ userId: alice.id });
      } finally {
        await conn.dispose();
      }
    });
  });
});
