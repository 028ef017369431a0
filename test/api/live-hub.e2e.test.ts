import { describe, expect, it } from "vitest";
import { QUIET_PROBE_MS } from "../../worker/src/live/live-publisher";
import { actorClient, errorCode } from "../support/actors";
import { apiUrl, call, inspectorUrl, mintToken, signUp } from "../support/api";
import { countHubPublishes } from "../support/hub-publishes";
import { type LiveRefusal, openLive } from "../support/live";

/**
 * workerd evicts an object ~10 s after its last event (../shared/notes/local-stack-facts.md), not while a timer or
 * socket of it is pending; the agent's last call writes its mirror row in the background. A margin on top.
 */
const IDLE_MS = 20_000;
const SHORT_TTL_SECONDS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function newThread(token: string): Promise<string> {
  return (
    (await (await call("/api/threads", token, { method: "POST", body: "{}" })).json()) as { id: string }
  ).id;
}

async function send(token: string, threadId: string, text: string) {
  const sent = await call(`/api/threads/${threadId}/messages`, token, {
    method: "POST",
    body: JSON.stringify({ text }),
  });
  expect(sent.status).toBe(202);
}

/** The growAgent's in-memory instance (a stateless call: it holds no connection afterwards). */
async function agentInstance(user: { id: string; token: string }): Promise<string> {
  const agent = actorClient(apiUrl(), user.token).growAgent.getOrCreate([user.id], {
    params: { token: user.token },
  });
  return ((await agent.whoami()) as unknown as { instance: string }).instance;
}

const refusal = (error: unknown) => error as LiveRefusal;

/** Turns ended in the thread, read from the log (no socket: an SSE stream would be a hub socket too). */
async function turnsEnded(token: string, threadId: string): Promise<number> {
  const page = (await (await call(`/api/threads/${threadId}/events?after=0&limit=200`, token)).json()) as {
    items: Array<{ type: string }>;
  };
  return page.items.filter((e) => e.type.startsWith("turn.") && e.type !== "turn.started").length;
}

/** `exp` of a token we minted, in ms. */
const expiryOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number }).exp * 1000;

describe("the live channel (GET /api/live, the user's LiveHub)", () => {
  it("refuses no token, a bad token and an expired one with 401, before any upgrade", async () => {
    const user = await signUp("live-refused");
    for (const token of [undefined, "not.a.jwt", `${user.token.slice(0, -4)}AAAA`]) {
      const failure = refusal(await openLive(apiUrl(), token).catch((error: unknown) => error));
      expect(failure.status, String(token)).toBe(401);
      expect(JSON.parse(failure.body).error.code).toMatch(/missing_token|invalid_token/);
    }
    const expired = await mintToken(user.username, {
      now: Math.floor(Date.now() / 1000) - 120,
      ttlSeconds: 60,
    });
    const failure = refusal(await openLive(apiUrl(), expired).catch((error: unknown) => error));
    expect(failure.status).toBe(401);
    expect(JSON.parse(failure.body).error.code).toBe("token_expired");
  });

  it("holds at most 16 SPA sockets per user: the next is refused with 429 until one closes", async () => {
    const user = await signUp("live-cap");
    const sockets = await Promise.all(Array.from({ length: 16 }, () => openLive(apiUrl(), user.token)));
    try {
      const failure = refusal(await openLive(apiUrl(), user.token).catch((error: unknown) => error));
      expect(failure.status).toBe(429);
      expect(JSON.parse(failure.body).error.code).toBe("too_many_streams");
      // Another user's hub is not affected.
      const other = await signUp("live-cap-other");
      (await openLive(apiUrl(), other.token)).close();
      sockets.pop()?.close();
      await expect
        .poll(async () => {
          const next = await openLive(apiUrl(), user.token).catch(() => undefined);
          next?.close();
          return next !== undefined;
        })
        .toBe(true);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it("delivers a user's events to that user's sockets only", async () => {
    const alice = await signUp("live-alice");
    const bob = await signUp("live-bob");
    const a = await openLive(apiUrl(), alice.token);
    const b = await openLive(apiUrl(), bob.token);
    try {
      expect(await a.ask({ type: "whoami" }, "whoami")).toMatchObject({ userId: alice.id });
      expect(await b.ask({ type: "whoami" }, "whoami")).toMatchObject({ userId: bob.id });
      const thread = await newThread(alice.token);
      await send(alice.token, thread, "Say hello [[words:3]]");
      const events = await a.turnEnded(thread);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      await sleep(300);
      expect(b.events()).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("closes an expired token's socket with token_expired by itself, and it gets nothing more", {
    timeout: 60_000,
  }, async () => {
    const alice = await signUp("live-expiry");
    const witness = await openLive(apiUrl(), alice.token);
    const shortToken = await mintToken(alice.username, { ttlSeconds: SHORT_TTL_SECONDS });
    const expiresAt = expiryOf(shortToken);
    const short = await openLive(apiUrl(), shortToken);
    try {
      // The hub's alarm sends the close frame at expiry (the socket is closing from then on); the TCP connection
      // itself ends when workerd lets go of the socket, up to ~10 s later locally.
      const closing = await short.until(
        () => (short.ws.readyState === short.ws.OPEN ? undefined : Date.now()),
        15_000,
        "the expiry close frame",
      );
      expect(closing - expiresAt).toBeLessThan(3_000);
      const closed = await short.until(() => short.closed(), 30_000, "the expiry close");
      expect(closed).toEqual({ code: 1000, reason: "user.token_expired" });
      const thread = await newThread(alice.token);
      await send(alice.token, thread, "While the other is closed [[words:2]]");
      await witness.turnEnded(thread);
      expect(short.events()).toEqual([]);
    } finally {
      witness.close();
    }
  });

  it("renews a socket's token over the socket (same user only), which then outlives the first token", async () => {
    const alice = await signUp("live-renew");
    const bob = await signUp("live-renew-other");
    const socket = await openLive(
      apiUrl(),
      await mintToken(alice.username, { ttlSeconds: SHORT_TTL_SECONDS }),
    );
    try {
      expect(await socket.ask({ type: "renewToken", token: bob.token }, "renewed")).toMatchObject({
        type: "refused",
        code: "forbidden",
      });
      const renewed = await socket.ask(
        { type: "renewToken", token: await mintToken(alice.username) },
        "renewed",
      );
      expect(renewed.type).toBe("renewed");
      await sleep((SHORT_TTL_SECONDS + 2) * 1000);
      expect(socket.closed()).toBeUndefined();
      const thread = await newThread(alice.token);
      await send(alice.token, thread, "After the first token [[words:2]]");
      await socket.turnEnded(thread);
    } finally {
      socket.close();
    }
  });

  it("lets the growAgent leave memory right after a turn: nothing of the turn keeps it resident", {
    timeout: 90_000,
  }, async () => {
    const alice = await signUp("live-after-turn");
    const socket = await openLive(apiUrl(), alice.token);
    let agentAfterTurn: string;
    try {
      const thread = await newThread(alice.token);
      await send(alice.token, thread, "Say hello [[words:3]]");
      await socket.turnEnded(thread);
      agentAfterTurn = await agentInstance(alice);
    } finally {
      socket.close();
    }
    // The pool's idle clients close 10 s after the turn's last query, then the 10 s eviction: a margin on both.
    await sleep(IDLE_MS + 5_000);
    // A new instance: nothing of the turn stayed pending in the object (it held an RPC session to the provisioner,
    // opened by the turn's memory read, until garbage collection: provisioner/src/index.ts `plain`).
    expect(await agentInstance(alice)).not.toBe(agentAfterTurn);
  });

  it("hibernates: idle, the hub and the growAgent leave memory, the socket stays open and delivers the next turn", {
    timeout: 90_000,
  }, async () => {
    const alice = await signUp("live-idle");
    const socket = await openLive(apiUrl(), alice.token);
    try {
      const thread = await newThread(alice.token);
      const hubBefore = await socket.ask({ type: "whoami" }, "whoami");
      const agentBefore = await agentInstance(alice);

      // The socket's `hubListening` made the agent prefetch system memory from Postgres: as after a turn, its pool's
      // idle client closes 10 s later, then the 10 s eviction.
      await sleep(IDLE_MS + 5_000);

      const hubAfter = await socket.ask({ type: "whoami" }, "whoami");
      expect(hubAfter.type).toBe("whoami");
      // A new instance answered on the same socket: the object hibernated while the socket stayed open.
      expect((hubAfter as { instance: string }).instance).not.toBe(
        (hubBefore as { instance: string }).instance,
      );
      // The agent holds no client socket: it left memory too.
      expect(await agentInstance(alice)).not.toBe(agentBefore);
      expect(socket.closed()).toBeUndefined();

      // The next message, sent over REST, streams its turn on that same socket.
      await send(alice.token, thread, "After the pause [[words:3]]");
      const events = await socket.turnEnded(thread);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]?.type).toBe("message.user");
      expect(socket.closed()).toBeUndefined();
    } finally {
      socket.close();
    }
  });

  it("goes quiet: with no socket open the agent stops publishing to the hub, and a socket opened later gets the next turn live", async () => {
    const alice = await signUp("live-quiet");
    const publishes = await countHubPublishes(inspectorUrl());
    try {
      // Loud while a socket is open: every batch of the turn goes to the hub (also proves the count works).
      const socket = await openLive(apiUrl(), alice.token);
      const loud = await newThread(alice.token);
      await send(alice.token, loud, "While listening [[words:3]]");
      await socket.turnEnded(loud);
      expect(await publishes.count(loud)).toBeGreaterThanOrEqual(1);
      socket.close();
      await socket.until(() => socket.closed(), 10_000, "the close");

      // No socket: the first publish learns that, later ones are not made but for a probe every QUIET_PROBE_MS
      // (the agent stays in memory meanwhile).
      const quiet = await newThread(alice.token);
      const quietSince = Date.now();
      for (const [i, text] of ["One [[words:3]]", "Two [[words:3]]", "Three [[words:3]]"].entries()) {
        await send(alice.token, quiet, text);
        await expect.poll(() => turnsEnded(alice.token, quiet), { timeout: 20_000 }).toBe(i + 1);
      }
      const probes = Math.floor((Date.now() - quietSince) / QUIET_PROBE_MS);
      expect(await publishes.count(quiet)).toBeLessThanOrEqual(1 + probes);

      // A socket opened now: the hub tells the agent, which publishes the next turn at once (not the 10 s re-read
      // of the log: this client reads no log at all).
      const late = await openLive(apiUrl(), alice.token);
      try {
        await send(alice.token, quiet, "Four [[words:3]]");
        const events = await late.turnEnded(quiet, 8_000);
        expect(events[0]?.type).toBe("message.user");
        expect(await publishes.count(quiet)).toBeGreaterThan(1);
      } finally {
        late.close();
      }
    } finally {
      publishes.close();
    }
  });

  it("takes the hub's word that a socket opened only from the user's own hub: a client token is refused", async () => {
    const alice = await signUp("live-listening");
    const agent = actorClient(apiUrl(), alice.token).growAgent.getOrCreate([alice.id], {
      params: { token: alice.token },
    });
    await expect(agent.hubListening({ epoch: 1 })).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    // Nor does a client reach it through the stream's cursor.
    await expect(agent.eventCursor("t", { hubEpoch: 1 })).rejects.toSatisfy(
      (e) => errorCode(e) === "forbidden",
    );
  });
});
