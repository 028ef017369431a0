import { sql } from "drizzle-orm";
import type { ActorConnRaw } from "rivetkit/client";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { actorClient, errorCode, eventually } from "../support/actors";
import { apiUrl, call, mintToken, signUp, stackDb } from "../support/api";
import { TEST_WEB_ORIGIN } from "../support/stack";

/**
 * RivetKit's manager routes (`/api/rivet/*`) as an attacker and as the SPA meet them (issue #19): every route
 * needs a verified token (or the internal actor credential) and ownership of the key it names; routes no client
 * needs are gone; CORS by the API's allowlist; refusals in RivetKit's error shape.
 */

type User = Awaited<ReturnType<typeof signUp>>;

const rivet = (path: string) => `${apiUrl()}/api/rivet${path}`;
const bearer = (user: User | undefined): Record<string, string> =>
  user ? { authorization: `Bearer ${user.token}` } : {};

interface RivetError {
  group: string;
  code: string;
  message: string;
}

/** An answer that must be a refusal: its status and RivetKit error body. */
async function refusal(response: Response): Promise<{ status: number; error: RivetError }> {
  const text = await response.text();
  expect(response.headers.get("content-type"), text).toContain("application/json");
  const error = JSON.parse(text) as RivetError;
  expect(error, text).toEqual({
    group: expect.any(String),
    code: expect.any(String),
    message: expect.any(String),
  });
  return { status: response.status, error };
}

const lookup = (name: string, key: string, user?: User) =>
  fetch(rivet(`/actors?name=${name}&key=${encodeURIComponent(key)}`), { headers: bearer(user) });

const getOrCreate = (body: object, user?: User, method = "PUT") =>
  fetch(rivet("/actors"), {
    method,
    headers: { ...bearer(user), "content-type": "application/json" },
    body: JSON.stringify({ runner_name_selector: "default", crash_policy: "sleep", ...body }),
  });

const action = (actorId: string, name: string, params: unknown, body = "[]") =>
  fetch(rivet(`/gateway/${encodeURIComponent(actorId)}/action/${name}`), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-rivet-encoding": "json",
      ...(params === undefined ? {} : { "x-rivet-conn-params": JSON.stringify(params) }),
    },
    body: JSON.stringify({ args: JSON.parse(body) }),
  });

/** A WebSocket to an actor as RivetKit's client opens it: how it ended, and whether anything was received. */
function connect(
  actorId: string,
  params: unknown,
): Promise<{ status: number; reason?: string; messages: number }> {
  const protocols = ["rivet", "rivet_encoding.json"];
  if (params !== undefined) protocols.push(`rivet_conn_params.${encodeURIComponent(JSON.stringify(params))}`);
  const url = rivet(`/gateway/${encodeURIComponent(actorId)}/connect`).replace(/^http/, "ws");
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols);
    let messages = 0;
    socket.on("message", () => {
      messages++;
    });
    socket.on("unexpected-response", (_request, response) => {
      resolve({ status: response.statusCode ?? 0, messages });
      socket.terminate();
    });
    socket.on("close", (_code, reason) => resolve({ status: 101, reason: reason.toString(), messages }));
    socket.on("error", () => {});
    setTimeout(() => {
      resolve({ status: 101, reason: "still open", messages });
      socket.terminate();
    }, 10_000);
  });
}

async function actorRows(userId: string): Promise<number> {
  const result = await stackDb().execute(
    sql`select count(*)::int as n from actors where user_id = ${userId}`,
  );
  return (result.rows[0] as { n: number }).n;
}

describe("/api/rivet: strangers and other users", () => {
  let alice: User;
  let bob: User;
  let carol: User;
  let aliceActorId: string;

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([signUp("alice"), signUp("bob"), signUp("carol")]);
    const created = await getOrCreate({ name: "growAgent", key: alice.id }, alice);
    expect(created.status, await created.clone().text()).toBe(200);
    aliceActorId = ((await created.json()) as { actor: { actor_id: string } }).actor.actor_id;
  });

  it("a stranger without a token cannot look up, create or call an actor", async () => {
    for (const response of [
      await lookup("growAgent", alice.id),
      await getOrCreate({ name: "growAgent", key: carol.id }),
      await getOrCreate(
        { name: "subAgent", key: `${carol.id}/planted`, input: "oWR0YXNrZXBsYW50" },
        undefined,
        "POST",
      ),
      await action(aliceActorId, "whoami", undefined),
    ]) {
      expect(await refusal(response)).toMatchObject({
        status: 401,
        error: { group: "user", code: "missing_token" },
      });
    }
    expect(await connect(aliceActorId, undefined)).toEqual({
      status: 101,
      reason: "user.missing_token",
      messages: 0,
    });

    // Nothing was created under Carol's keys: her own lookups find nothing, and she has no actor rows.
    for (const [name, key] of [
      ["growAgent", carol.id],
      ["subAgent", `${carol.id}/planted`],
    ] as const) {
      const found = await lookup(name, key, carol);
      expect(found.status).toBe(200);
      expect(await found.json()).toEqual({ actors: [] });
    }
    expect(await actorRows(carol.id)).toBe(0);
  });

  it("a bad or expired token is refused on every route", async () => {
    const expired = await mintToken(alice.username, {
      now: Math.floor(Date.now() / 1000) - 7_200,
      ttlSeconds: 60,
    });
    const forged = `${alice.token.slice(0, -4)}AAAA`;
    for (const [token, code] of [
      [expired, "token_expired"],
      [forged, "invalid_token"],
      ["not a jwt", "invalid_token"],
    ] as const) {
      const user = { ...alice, token };
      expect((await refusal(await lookup("growAgent", alice.id, user))).error.code).toBe(code);
      expect((await refusal(await getOrCreate({ name: "growAgent", key: alice.id }, user))).error.code).toBe(
        code,
      );
      expect((await refusal(await action(aliceActorId, "whoami", { token }))).error.code).toBe(code);
      expect(await connect(aliceActorId, { token })).toMatchObject({ reason: `user.${code}`, messages: 0 });
    }
    // Forged internal credentials are no way in either.
    const internal = { internal: `v1.${alice.id}.growAgent.9999999999.${"A".repeat(43)}` };
    expect((await refusal(await action(aliceActorId, "whoami", internal))).error.code).toBe("forbidden");
    expect(await connect(aliceActorId, internal)).toMatchObject({ reason: "user.forbidden", messages: 0 });
  });

  it("user B's token on user A's key or actor is refused, and creates nothing", async () => {
    expect(await refusal(await lookup("growAgent", alice.id, bob))).toMatchObject({
      status: 403,
      error: { group: "user", code: "forbidden" },
    });
    expect((await refusal(await getOrCreate({ name: "growAgent", key: carol.id }, bob))).status).toBe(403);
    expect(
      (await refusal(await getOrCreate({ name: "subAgent", key: `${carol.id}/b` }, bob, "POST"))).status,
    ).toBe(403);
    expect((await refusal(await action(aliceActorId, "whoami", { token: bob.token }))).status).toBe(403);
    expect(await connect(aliceActorId, { token: bob.token })).toMatchObject({
      reason: "user.forbidden",
      messages: 0,
    });
    expect(await actorRows(carol.id)).toBe(0);
    expect(await (await lookup("growAgent", carol.id, carol)).json()).toEqual({ actors: [] });
  });

  it("no client creates a sub-agent, not even under its own key", async () => {
    for (const method of ["PUT", "POST"]) {
      const response = await getOrCreate({ name: "subAgent", key: `${bob.id}/mine` }, bob, method);
      expect(await refusal(response)).toMatchObject({ status: 403, error: { code: "forbidden" } });
    }
    expect(await (await lookup("subAgent", `${bob.id}/mine`, bob)).json()).toEqual({ actors: [] });
  });

  it("routes no client needs are gone, with any token: KV, listing, names, health, inspector, raw requests", async () => {
    const id = encodeURIComponent(aliceActorId);
    const gone: Array<[string, string]> = [
      ["GET", `/actors/${id}/kv/keys/${encodeURIComponent(btoa("state"))}`],
      ["GET", "/actors?name=growAgent"],
      ["GET", `/actors?actor_ids=${id}`],
      ["GET", "/actors/names?namespace=default"],
      ["DELETE", `/actors/${id}`],
      ["GET", "/health"],
      ["GET", "/"],
      ["GET", `/gateway/${id}/inspector/state`],
      ["GET", `/gateway/${id}/request/x`],
      ["POST", "/.test/inline-driver/call"],
    ];
    for (const [method, path] of gone) {
      for (const user of [undefined, alice]) {
        const response = await fetch(rivet(path), { method, headers: bearer(user) });
        expect(await refusal(response), `${method} ${path}`).toMatchObject({
          status: 404,
          error: { group: "route", code: "not_found" },
        });
      }
    }
    // Header-routed gateway calls (RivetKit routes `x-rivet-target: actor` to the actor) do not get through.
    const sneaky = await fetch(rivet(`/actors?name=growAgent&key=${alice.id}`), {
      headers: { ...bearer(alice), "x-rivet-target": "actor", "x-rivet-actor": aliceActorId },
    });
    expect(await sneaky.json()).toMatchObject({ actors: [{ actor_id: aliceActorId }] });
  });

  it("answers bad input with a 4xx in RivetKit's shape, never a 500", async () => {
    const put = (body: string, headers: Record<string, string> = {}) =>
      fetch(rivet("/actors"), { method: "PUT", headers: { ...bearer(alice), ...headers }, body });
    const cases: Array<[string, Promise<Response>, number]> = [
      ["malformed JSON", put("{"), 400],
      ["an array", put("[]"), 400],
      ["a key that is not a string", put(JSON.stringify({ name: "growAgent", key: [alice.id] })), 400],
      [
        "an input from a client",
        put(JSON.stringify({ name: "growAgent", key: alice.id, input: "oA==" })),
        400,
      ],
      ["an unknown actor type", put(JSON.stringify({ name: "inspector", key: alice.id })), 403],
      ["an escaped key", put(JSON.stringify({ name: "growAgent", key: `${alice.id}\\/x` })), 403],
      ["over 4 KiB", put(JSON.stringify({ name: "growAgent", key: alice.id, x: "x".repeat(5_000) })), 413],
      [
        "an unknown encoding",
        fetch(rivet(`/gateway/${encodeURIComponent(aliceActorId)}/action/whoami`), {
          method: "POST",
          headers: {
            "x-rivet-encoding": "xml",
            "x-rivet-conn-params": JSON.stringify({ token: alice.token }),
          },
          body: "x",
        }),
        400,
      ],
      [
        "connection params that are not JSON",
        fetch(rivet(`/gateway/${encodeURIComponent(aliceActorId)}/action/whoami`), {
          method: "POST",
          headers: { "x-rivet-encoding": "json", "x-rivet-conn-params": "{nope" },
          body: "{}",
        }),
        401,
      ],
    ];
    for (const [what, response, status] of cases) {
      expect((await refusal(await response)).status, what).toBe(status);
    }
    const oversized = await fetch(rivet(`/gateway/${encodeURIComponent(aliceActorId)}/action/ping`), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-rivet-encoding": "json",
        "x-rivet-conn-params": JSON.stringify({ token: alice.token }),
      },
      body: JSON.stringify({ args: ["p".repeat(800 * 1024)] }),
    });
    expect(await refusal(oversized)).toMatchObject({
      status: 413,
      error: { group: "message", code: "incoming_too_long" },
    });
    const garbage = await fetch(rivet(`/gateway/${encodeURIComponent(aliceActorId)}/action/whoami`), {
      method: "POST",
      headers: { "x-rivet-encoding": "cbor", "x-rivet-conn-params": JSON.stringify({ token: alice.token }) },
      body: new Uint8Array([0xff, 0x00, 0x13, 0x37]),
    });
    expect(garbage.status, await garbage.clone().text()).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
  });

  it("calls only the actor's own actions, never Object.prototype's (over HTTP or the WebSocket)", async () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      // `__proto__` is no action name at all (route.not_found); the others no action of this actor.
      expect(await refusal(await action(aliceActorId, name, { token: alice.token })), name).toMatchObject({
        status: 404,
        error: { code: "not_found" },
      });
    }
    const conn = actorClient(apiUrl(), alice.token)
      .growAgent.getForId(aliceActorId, { params: { token: alice.token } })
      .connect() as unknown as ActorConnRaw;
    try {
      for (const name of ["constructor", "toString"]) {
        await expect(conn.action({ name, args: [] }), name).rejects.toSatisfy(
          (e) => errorCode(e) === "action_not_found" || errorCode(e) === "not_found",
        );
      }
      expect(await conn.action({ name: "whoami", args: [] })).toMatchObject({ userId: alice.id });
    } finally {
      await conn.dispose();
    }
  });

  it("counts calls against the user's rate limit, shared with the REST API", async () => {
    const dave = await signUp("dave");
    let limited: Response | undefined;
    for (let sent = 0; sent < 400 && !limited; sent += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => lookup("growAgent", dave.id, dave)));
      limited = batch.find((r) => r.status === 429);
      for (const response of batch) if (response !== limited) await response.body?.cancel();
    }
    expect(limited, "no 429 within 400 calls").toBeDefined();
    expect(limited?.headers.get("retry-after")).toBe("60");
    expect((await refusal(limited as Response)).error.code).toBe("rate_limited");
    expect((await call("/api/me", dave.token)).status).toBe(429);
  });
});

describe("/api/rivet: the SPA's flow and CORS", () => {
  it("connects with a token, calls an action and receives the broadcast of its turn", async () => {
    const erin = await signUp("erin");
    const thread = (await (
      await call("/api/threads", erin.token, { method: "POST", body: "{}" })
    ).json()) as {
      id: string;
    };
    const conn = actorClient(apiUrl(), erin.token)
      .growAgent.getOrCreate([erin.id], { getParams: async () => ({ token: erin.token }) })
      .connect();
    const events: Array<{ threadId: string; type: string }> = [];
    conn.on("event", (event: { threadId: string; type: string }) => events.push(event));
    try {
      expect(await conn.whoami()).toMatchObject({ userId: erin.id });
      await conn.sendMessage(thread.id, "hello there");
      await eventually(
        () => expect(events.some((e) => e.threadId === thread.id && e.type === "turn.completed")).toBe(true),
        30_000,
      );
    } finally {
      await conn.dispose();
    }
  });

  it("answers a preflight from the SPA's origin and gives any other origin no CORS headers", async () => {
    const preflight = (origin: string) =>
      fetch(rivet("/actors"), {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "PUT",
          "access-control-request-headers": "authorization,content-type",
        },
      });
    const allowed = await preflight(TEST_WEB_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(TEST_WEB_ORIGIN);
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    expect(allowed.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");

    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    // RivetKit's router echoes any origin with credentials; that echo must not come through on real answers either.
    const fromEvil = await fetch(rivet("/metadata"), { headers: { origin: "https://evil.example" } });
    expect(fromEvil.status).toBe(200);
    expect(fromEvil.headers.get("access-control-allow-origin")).toBeNull();
    const fromSpa = await fetch(rivet("/metadata"), { headers: { origin: TEST_WEB_ORIGIN } });
    expect(fromSpa.headers.get("access-control-allow-origin")).toBe(TEST_WEB_ORIGIN);
  });

  it("serves the metadata every RivetKit client asks for first, and nothing from the registry in it", async () => {
    const response = await fetch(rivet("/metadata"));
    expect(await response.json()).toEqual({ runtime: "rivetkit" });
  });
});
