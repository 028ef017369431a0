import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient, errorCode, eventually } from "../support/actors";
import { connectAgent } from "../support/agent";
import { apiUrl, call, mintToken, uniqueUser } from "../support/api";

/** Long enough to connect and see an event first; short enough for the test. */
const SHORT_TTL_SECONDS = 6;

interface Pong {
  text: string;
}

/** `exp` of a token we minted, in ms. */
const expiryOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number }).exp * 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signedInUser(prefix: string) {
  const username = uniqueUser(prefix);
  const token = await mintToken(username);
  const me = (await (await call("/api/me", token)).json()) as { id: string };
  return { username, token, id: me.id };
}

/** A connection of `userId`'s Grow Agent asking `token()` on every (re)connect, recording pongs, errors and status. */
async function watchedConnection(user: { id: string; token: string }, token: () => Promise<string>) {
  const agent = await connectAgent(apiUrl(), user.id, user.token, { connectWith: token });
  const pongs: string[] = [];
  const errors: Array<{ code?: string; message: string; at: number }> = [];
  const opened: number[] = [];
  agent.conn.on("pong", (pong: Pong) => pongs.push(pong.text));
  agent.conn.onError((error) =>
    errors.push({ code: errorCode(error), message: error.message, at: Date.now() }),
  );
  agent.conn.onOpen(() => opened.push(Date.now()));
  // The server's own close (not a refused reconnect): RivetKit's client surfaces the close reason as the error.
  const closedForExpiry = () =>
    errors.find((e) => e.message.includes("Connection closed: user.token_expired"));
  return { ...agent, pongs, errors, opened, closedForExpiry };
}

describe("live connections and token expiry", () => {
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  /** A second connection of Alice's with a long-lived token: it triggers events and shows they were sent. */
  let witness: Awaited<ReturnType<typeof watchedConnection>>;

  beforeAll(async () => {
    alice = await signedInUser("expiry");
    witness = await watchedConnection(alice, async () => alice.token);
  });
  afterAll(() => witness?.dispose());

  it("an expired token's connection gets no further event, is closed with token_expired, and a fresh token brings events back", async () => {
    let nextToken = await mintToken(alice.username, { ttlSeconds: SHORT_TTL_SECONDS });
    const expiresAt = expiryOf(nextToken);
    const short = await watchedConnection(alice, async () => nextToken);
    try {
      // While the token is valid, events arrive.
      await witness.conn.ping("while valid");
      await eventually(() => expect(short.pongs).toContain("while valid"));

      // At expiry the server closes it by itself, with no event to trigger it.
      const closed = await eventually(() => {
        const close = short.closedForExpiry();
        expect(close).toBeDefined();
        return close as NonNullable<typeof close>;
      }, 15_000);
      expect(closed.code).toBe("token_expired");
      expect(closed.at).toBeGreaterThanOrEqual(expiresAt);
      expect(closed.at - expiresAt).toBeLessThan(3_000);
      // Its reconnects with the same (expired) token are refused.
      await eventually(() =>
        expect(short.errors.filter((e) => e !== closed).map((e) => e.code)).toContain("token_expired"),
      );
      expect(short.conn.connStatus).not.toBe("connected");

      // Events go on for valid connections, none reaches the expired one: a ping and a whole turn over REST.
      await witness.conn.ping("after expiry");
      await eventually(() => expect(witness.pongs).toContain("after expiry"));
      const thread = (await (
        await call("/api/threads", alice.token, { method: "POST", body: "{}" })
      ).json()) as {
        id: string;
      };
      const sent = await call(`/api/threads/${thread.id}/messages`, alice.token, {
        method: "POST",
        body: JSON.stringify({ text: "while the other tab is expired" }),
      });
      expect(sent.status).toBe(202);
      await witness.until(thread.id);
      await sleep(500);
      expect(short.pongs).toEqual(["while valid"]);
      expect(short.events.filter((e) => e.threadId === thread.id)).toEqual([]);

      // A fresh token lets the same connection object back in, and events reach it again.
      nextToken = await mintToken(alice.username);
      await eventually(() => expect(short.conn.connStatus).toBe("connected"), 30_000);
      // "connected" comes before the client has re-subscribed to its events, so a single ping can race it.
      await eventually(async () => {
        if (!short.pongs.includes("with a fresh token")) await witness.conn.ping("with a fresh token");
        await sleep(200);
        expect(short.pongs).toContain("with a fresh token");
      });
    } finally {
      await short.dispose();
    }
  });

  it("a client that hands a fresh token on reconnect (as the SPA does) is back within a second", async () => {
    const tokens = [await mintToken(alice.username, { ttlSeconds: SHORT_TTL_SECONDS })];
    const expiresAt = expiryOf(tokens[0] ?? "");
    let asked = 0;
    const renewing = await watchedConnection(alice, async () => {
      asked++;
      return tokens.shift() ?? (await mintToken(alice.username));
    });
    try {
      expect(await renewing.conn.whoami()).toMatchObject({ userId: alice.id });
      const close = await eventually(() => {
        const c = renewing.closedForExpiry();
        expect(c).toBeDefined();
        return c as NonNullable<typeof c>;
      }, 15_000);
      expect(close.at).toBeGreaterThanOrEqual(expiresAt);
      // Reconnected with a fresh token right away, not after a backoff.
      const reopened = await eventually(() => {
        const at = renewing.opened.find((t) => t > close.at);
        expect(at).toBeDefined();
        return at as number;
      }, 10_000);
      expect(reopened - close.at).toBeLessThan(2_000);
      expect(asked).toBeGreaterThanOrEqual(2);
      // The reconnected connection receives events and may act.
      await renewing.conn.ping("after renewal");
      await eventually(() => expect(renewing.pongs).toContain("after renewal"));
    } finally {
      await renewing.dispose();
    }
  });

  it("a connection renewed with a fresh token of the same user stays open past the first token's expiry", async () => {
    const first = await mintToken(alice.username, { ttlSeconds: SHORT_TTL_SECONDS });
    const expiresAt = expiryOf(first);
    const renewed = await watchedConnection(alice, async () => first);
    try {
      const bob = await signedInUser("bob");
      await expect(renewed.conn.renewToken(bob.token)).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
      const fresh = await mintToken(alice.username, { ttlSeconds: 600 });
      const answer = await renewed.conn.renewToken(fresh);
      expect(Date.parse(answer.expiresAt)).toBe(expiryOf(fresh));

      await sleep(Math.max(0, expiresAt - Date.now()) + 1_500);
      expect(renewed.closedForExpiry()).toBeUndefined();
      expect(renewed.conn.connStatus).toBe("connected");
      await witness.conn.ping("after the first token expired");
      await eventually(() => expect(renewed.pongs).toContain("after the first token expired"));
    } finally {
      await renewed.dispose();
    }
  });

  it("refuses internal params a client makes up, including the old form without audience or expiry", async () => {
    for (const params of [
      { internal: "AAAA", userId: alice.id },
      { internal: `v1.${alice.id}.growAgent.9999999999.${"A".repeat(43)}` },
    ]) {
      // With Alice's token for finding the actor, so the actor itself judges the made-up credentials.
      const handle = actorClient(apiUrl(), alice.token).growAgent.getOrCreate([alice.id], { params });
      await expect(handle.whoami()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    }
  });
});
