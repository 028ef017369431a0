import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Caller,
  classifyManagerRoute,
  credentialFromParams,
  credentialFromParamsHeader,
  decideAccess,
  parseSerializedKey,
  parseWebSocketOffer,
} from "./manager-routes";

const alice = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b";
const bob = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5c";
const actorId = `${"a".repeat(64)}:0`;

const classify = (method: string, pathAndQuery: string, webSocket = false) => {
  const url = new URL(pathAndQuery, "http://x");
  return classifyManagerRoute({ method, path: url.pathname, query: url.searchParams, webSocket });
};

describe("RivetKit manager routes a client may use", () => {
  it("knows the routes RivetKit's client calls for our actors", () => {
    expect(classify("GET", "/metadata")).toEqual({ kind: "metadata" });
    expect(classify("GET", `/actors?name=growAgent&key=${alice}&namespace=default`)).toEqual({
      kind: "lookup",
      name: "growAgent",
      serializedKey: alice,
    });
    expect(classify("PUT", "/actors?namespace=default")).toEqual({ kind: "getOrCreate" });
    expect(classify("POST", "/actors")).toEqual({ kind: "create" });
    expect(classify("POST", `/gateway/${encodeURIComponent(actorId)}/action/whoami`)).toEqual({
      kind: "action",
      actorId,
      action: "whoami",
    });
    expect(classify("GET", `/gateway/${encodeURIComponent(actorId)}/connect`, true)).toEqual({
      kind: "connect",
      actorId,
    });
    // RivetKit's `token` option puts `@token` after the id; it is not what the guard checks.
    expect(classify("GET", `/gateway/${encodeURIComponent(actorId)}@tok/connect`, true)).toEqual({
      kind: "connect",
      actorId,
    });
  });

  it.each([
    ["GET", "/"],
    ["GET", "/health"],
    ["GET", "/actors/names?namespace=default"],
    ["GET", "/actors?name=growAgent"], // a listing
    ["GET", `/actors?actor_ids=${actorId}`],
    ["GET", `/actors?name=growAgent&key=${alice}&actor_ids=${actorId}`],
    ["GET", `/actors/${encodeURIComponent(actorId)}/kv/keys/AA==`],
    ["DELETE", `/actors/${encodeURIComponent(actorId)}`],
    ["GET", "/ui/"],
    ["POST", "/.test/inline-driver/call"],
    ["POST", "/.test/force-disconnect"],
    ["GET", `/gateway/${encodeURIComponent(actorId)}/request/x`],
    ["POST", `/gateway/${encodeURIComponent(actorId)}/queue/q`],
    ["GET", `/gateway/${encodeURIComponent(actorId)}/action/whoami`],
    ["POST", `/gateway/${encodeURIComponent(actorId)}/action/who%2Fami`],
    ["POST", `/gateway/${encodeURIComponent(actorId)}/action/x/y`],
    ["POST", "/gateway/not-an-id/action/whoami"],
    ["POST", `/gateway/${"a".repeat(64)}%3A01/action/whoami`],
    ["POST", `/gateway/%E0%A4%A/action/whoami`],
    ["POST", `//gateway/${encodeURIComponent(actorId)}/action/whoami`],
    ["GET", `/gateway/${encodeURIComponent(actorId)}/connect`], // not an upgrade
    ["PATCH", "/actors"],
  ])("refuses %s %s", (method, path) => {
    expect(classify(method, path)).toBeUndefined();
  });

  it("refuses WebSockets anywhere but /gateway/{id}/connect", () => {
    expect(classify("GET", `/gateway/${encodeURIComponent(actorId)}/websocket/x`, true)).toBeUndefined();
    expect(classify("GET", "/actors", true)).toBeUndefined();
    expect(classify("POST", `/gateway/${encodeURIComponent(actorId)}/connect`, true)).toBeUndefined();
  });
});

describe("serialized keys", () => {
  it("reads our keys as RivetKit writes them", () => {
    expect(parseSerializedKey(alice)).toEqual([alice]);
    expect(parseSerializedKey(`${alice}/task-1`)).toEqual([alice, "task-1"]);
  });

  it.each([["/"], [""], [`${alice}/`], [`/${alice}`], [`${alice}\\/x`], ["\\0"], [42], ["k".repeat(300)]])(
    "reads no key from %j",
    (text) => {
      expect(parseSerializedKey(text)).toBeUndefined();
    },
  );

  it("reads a key only where RivetKit's unescaping could not read another", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parts = parseSerializedKey(text);
        if (!parts) return;
        // No escapes and no empty parts: RivetKit's deserializer splits such a string on `/` exactly like this.
        expect(parts.join("/")).toBe(text);
        expect(parts.every((p) => p.length > 0 && !p.includes("\\") && !p.includes("/"))).toBe(true);
      }),
    );
  });
});

describe("credentials", () => {
  it("reads connection params as the actors do", () => {
    expect(credentialFromParams({ token: "t" })).toEqual({ kind: "token", token: "t" });
    expect(credentialFromParams({ internal: "v1.x" })).toEqual({
      kind: "internal",
      params: { internal: "v1.x" },
    });
    expect(credentialFromParams(undefined)).toEqual({ kind: "none" });
    expect(credentialFromParams({})).toEqual({ kind: "none" });
    for (const bad of [{ token: "" }, { token: 42 }, { token: null }, "t", [1], 3])
      expect(credentialFromParams(bad)).toEqual({ kind: "malformed" });
    expect(credentialFromParamsHeader('{"token":"t"}')).toEqual({ kind: "token", token: "t" });
    expect(credentialFromParamsHeader("{not json")).toEqual({ kind: "malformed" });
    expect(credentialFromParamsHeader(undefined)).toEqual({ kind: "none" });
  });

  it("reads RivetKit's WebSocket offer and nothing else", () => {
    const params = encodeURIComponent(JSON.stringify({ token: "t" }));
    expect(parseWebSocketOffer(`rivet, rivet_encoding.cbor, rivet_conn_params.${params}`)).toEqual({
      encoding: "cbor",
      credential: { kind: "token", token: "t" },
      params: { token: "t" },
    });
    expect(parseWebSocketOffer("rivet")).toMatchObject({ encoding: "bare", credential: { kind: "none" } });
    expect(parseWebSocketOffer("chat")).toBeUndefined();
    expect(parseWebSocketOffer(undefined)).toBeUndefined();
    expect(parseWebSocketOffer("rivet, rivet_encoding.xml")).toBeUndefined();
    expect(parseWebSocketOffer("rivet, rivet_conn_params.%7Bnope")).toBeUndefined();
    expect(parseWebSocketOffer("rivet, rivet_conn_params.%E0%A4%A")).toBeUndefined();
  });
});

describe("who may do what", () => {
  const user = (userId: string): Caller => ({ userId, internal: false });
  const internal = (userId: string, audience: "growAgent" | "subAgent"): Caller => ({
    userId,
    internal: true,
    audience,
  });
  const grow = (owner: string) => ({ name: "growAgent", key: [owner] });
  const sub = (owner: string) => ({ name: "subAgent", key: [owner, "task-1"] });

  it("lets a user find, get-or-create, call and connect to their own Grow Agent", () => {
    for (const kind of ["lookup", "getOrCreate", "create", "action", "connect"] as const)
      expect(decideAccess(kind, grow(alice), user(alice))).toBeUndefined();
  });

  it("lets a user find and call their own sub-agent but never create one or pass an input", () => {
    for (const kind of ["lookup", "action", "connect"] as const)
      expect(decideAccess(kind, sub(alice), user(alice))).toBeUndefined();
    for (const kind of ["getOrCreate", "create"] as const)
      expect(decideAccess(kind, sub(alice), user(alice))).toMatchObject({ status: 403, code: "forbidden" });
    expect(decideAccess("getOrCreate", grow(alice), user(alice), { input: true })).toMatchObject({
      status: 400,
    });
  });

  it("refuses another user's keys, malformed keys and unknown actor types alike", () => {
    const forbidden = { status: 403, code: "forbidden" };
    for (const kind of ["lookup", "getOrCreate", "create", "action", "connect"] as const) {
      expect(decideAccess(kind, grow(alice), user(bob))).toMatchObject(forbidden);
      expect(decideAccess(kind, sub(alice), user(bob))).toMatchObject(forbidden);
      expect(decideAccess(kind, { name: "growAgent", key: undefined }, user(alice))).toMatchObject(forbidden);
      expect(decideAccess(kind, { name: "growAgent", key: [alice, "x"] }, user(alice))).toMatchObject(
        forbidden,
      );
      expect(decideAccess(kind, { name: "inspector", key: [alice] }, user(alice))).toMatchObject(forbidden);
    }
  });

  it("lets internal credentials create a sub-agent of their user, for the type they were made for only", () => {
    expect(decideAccess("create", sub(alice), internal(alice, "subAgent"), { input: true })).toBeUndefined();
    expect(decideAccess("create", sub(alice), internal(alice, "growAgent"))).toMatchObject({ status: 403 });
    expect(decideAccess("create", sub(bob), internal(alice, "subAgent"))).toMatchObject({ status: 403 });
  });
});
