import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient, errorCode, eventually, startDroppableRelay } from "../support/actors";
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
    const handle = client().growAgent.getOrCreate([alice.id], { params: { token: bob.token } });
    await expect(handle.whoami()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");

    const conn = handle.connect();
    const refused = new Promise<unknown>((resolve) => conn.onError(resolve));
    try {
      expect(errorCode(await refused)).toBe("forbidden");
      await expect(conn.whoami()).rejects.toBeDefined();
    } finally {
      await conn.dispose();
    }
  });

  it("refuses another user's sub-agent; lists and stops only the caller's own actors", async () => {
    const aliceClient = client();
    const sub = await aliceClient.subAgent.create([alice.id, "task-1"], {
      params: { token: alice.token },
      input: { task: "summarise my notes" },
    });
    expect(await sub.describe()).toMatchObject({ subAgentId: "task-1", task: "summarise my notes" });

    const asBob = client().subAgent.get([alice.id, "task-1"], { params: { token: bob.token } });
    await expect(asBob.describe()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    await expect(asBob.stop()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    // Bob cannot create actors under Alice's key either.
    await expect(
      client()
        .subAgent.create([alice.id, "bobs"], { params: { token: bob.token } })
        .then((h) => h.describe()),
    ).rejects.toSatisfy((e) => errorCode(e) === "forbidden");

    const aliceList = (await (await call("/api/actors", alice.token)).json()) as {
      items: Array<{ id: string; type: string; key: string[]; status: string }>;
    };
    const aliceSub = aliceList.items.find((a) => a.type === "subAgent" && a.key[1] === "task-1");
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
  });

  it("refuses an expired token at connect", async () => {
    const token = await expiredTokenFor(alice.username);
    const conn = client().growAgent.getOrCreate([alice.id], { params: { token } }).connect();
    const refused = new Promise<unknown>((resolve) => conn.onError(resolve));
    try {
      expect(errorCode(await refused)).toBe("token_expired");
    } finally {
      await conn.dispose();
    }
  });

  describe("reconnect", () => {
    let relay: Awaited<ReturnType<typeof startDroppableRelay>>;
    beforeAll(async () => {
      relay = await startDroppableRelay(apiUrl());
    });
    afterAll(() => relay.close());

    it("fetches fresh params on reconnect and refuses the reconnect when that token has expired", async () => {
      let nextToken = alice.token;
      const conn = actorClient(relay.url)
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
