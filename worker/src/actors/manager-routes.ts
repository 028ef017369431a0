import {
  HEADER_CONN_PARAMS,
  WS_PROTOCOL_CONN_PARAMS,
  WS_PROTOCOL_ENCODING,
  WS_PROTOCOL_STANDARD,
} from "rivetkit/driver-helpers";
import { parseActorId } from "../rivet/actor-id";
import { type ActorType, keyOwner } from "./actor-keys";

/**
 * Which of RivetKit's manager routes (`/api/rivet/*`) a client may use, and on what terms. Pure: the guard
 * (manager-guard.ts) does the I/O. Everything a client never needs (KV reads, listing, actor names, health,
 * the inspector, raw HTTP/WebSocket into an actor, header-routed gateway calls, test routes) is not a route here.
 */

/** The routes RivetKit's client uses for our actors, found by following `createClient` (rivetkit 2.2.1). */
export type ManagerRoute =
  /** `GET /metadata`: every client fetches it once at start and blocks all calls on it. */
  | { kind: "metadata" }
  /** `GET /actors?name=&key=`: `handle.get(key)` resolving an actor. */
  | { kind: "lookup"; name: string; serializedKey: string }
  /** `PUT /actors` (name, key in the body): `getOrCreate(key)`. */
  | { kind: "getOrCreate" }
  /** `POST /actors`: `create(key)`. */
  | { kind: "create" }
  /** `POST /gateway/{actorId}/action/{name}`: a stateless action call. */
  | { kind: "action"; actorId: string; action: string }
  /** `GET /gateway/{actorId}/connect` with `Upgrade: websocket`: a live connection. */
  | { kind: "connect"; actorId: string };

const ACTOR_TYPES: readonly ActorType[] = ["growAgent", "subAgent"];
const ACTION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** A key of two short parts serializes to well under this; anything longer names no actor of ours. */
const MAX_SERIALIZED_KEY = 256;

export const isActorType = (name: unknown): name is ActorType =>
  typeof name === "string" && (ACTOR_TYPES as readonly string[]).includes(name);

/**
 * Classifies a request by method and path (below the mount point, still percent-encoded); undefined for every
 * route a client of ours never uses. The query matters only for the lookup.
 */
export function classifyManagerRoute(request: {
  method: string;
  path: string;
  query: URLSearchParams;
  webSocket: boolean;
}): ManagerRoute | undefined {
  const { method, path, query, webSocket } = request;
  if (path.includes("//")) return undefined;
  const segments = path.split("/").filter((s) => s.length > 0);
  if (webSocket) {
    if (method !== "GET" || segments.length !== 3 || segments[0] !== "gateway" || segments[2] !== "connect")
      return undefined;
    const actorId = gatewayActorId(segments[1]);
    return actorId ? { kind: "connect", actorId } : undefined;
  }
  if (segments.length === 1 && segments[0] === "metadata" && method === "GET") return { kind: "metadata" };
  if (segments.length === 1 && segments[0] === "actors") {
    if (method === "PUT") return { kind: "getOrCreate" };
    if (method === "POST") return { kind: "create" };
    if (method !== "GET" || query.has("actor_ids")) return undefined;
    const name = query.get("name");
    const serializedKey = query.get("key");
    // Without a key this would be a listing by name.
    if (name === null || serializedKey === null) return undefined;
    return { kind: "lookup", name, serializedKey };
  }
  if (segments.length === 4 && segments[0] === "gateway" && segments[2] === "action" && method === "POST") {
    const actorId = gatewayActorId(segments[1]);
    const action = safeDecode(segments[3] ?? "");
    if (!actorId || action === undefined || !ACTION_NAME.test(action)) return undefined;
    return { kind: "action", actorId, action };
  }
  return undefined;
}

/** `{actorId}` or `{actorId}@{token}` (RivetKit's client puts its `token` option there; ours is unused). */
function gatewayActorId(segment: string | undefined): string | undefined {
  const raw = segment?.split("@")[0];
  const actorId = raw ? safeDecode(raw) : undefined;
  return actorId && parseActorId(actorId) ? actorId : undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * A RivetKit-serialized key (`a/b`), read only when it needs no unescaping: no key of ours contains `/` or `\`
 * (actor-keys.ts), so refusing escapes means the key checked here is exactly the key RivetKit will use.
 */
export function parseSerializedKey(serialized: unknown): string[] | undefined {
  if (typeof serialized !== "string" || serialized.length === 0 || serialized.length > MAX_SERIALIZED_KEY)
    return undefined;
  if (serialized.includes("\\")) return undefined;
  const parts = serialized.split("/");
  return parts.every((part) => part.length > 0) ? parts : undefined;
}

/** What a request offers as credentials: the same connection params an actor reads, or a bearer token. */
export type Credential =
  | { kind: "token"; token: string }
  | { kind: "internal"; params: { internal: unknown } }
  | { kind: "none" }
  | { kind: "malformed" };

/** Connection params as the actors read them (connection-auth.ts): `{ token }` or internal `{ internal }`. */
export function credentialFromParams(params: unknown): Credential {
  if (params === undefined || params === null) return { kind: "none" };
  if (typeof params !== "object" || Array.isArray(params)) return { kind: "malformed" };
  const { token, internal } = params as Record<string, unknown>;
  if (internal !== undefined) return { kind: "internal", params: { internal } };
  if (token === undefined) return { kind: "none" };
  return typeof token === "string" && token.length > 0 ? { kind: "token", token } : { kind: "malformed" };
}

/** The `x-rivet-conn-params` header (JSON) of an HTTP call. */
export function credentialFromParamsHeader(header: string | undefined | null): Credential {
  if (header === undefined || header === null) return { kind: "none" };
  try {
    return credentialFromParams(JSON.parse(header));
  } catch {
    return { kind: "malformed" };
  }
}

export const CONN_PARAMS_HEADER = HEADER_CONN_PARAMS;

/** What RivetKit's client offers in `Sec-WebSocket-Protocol`; rebuilt canonically before it is forwarded. */
export interface WebSocketOffer {
  encoding: "json" | "cbor" | "bare";
  credential: Credential;
  /** The params as sent (after decoding), forwarded unchanged so the actor checks the same ones. */
  params: unknown;
}

/** RivetKit's wire encodings. */
export const ENCODINGS = ["json", "cbor", "bare"] as const;
export const isEncoding = (value: string): value is WebSocketOffer["encoding"] =>
  (ENCODINGS as readonly string[]).includes(value);

/** Undefined when the offer is not a RivetKit client's (no `rivet` protocol, an unknown encoding, bad params). */
export function parseWebSocketOffer(header: string | undefined | null): WebSocketOffer | undefined {
  const protocols = (header ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (!protocols.includes(WS_PROTOCOL_STANDARD)) return undefined;
  let encoding: WebSocketOffer["encoding"] = "bare";
  let params: unknown;
  let credential: Credential = { kind: "none" };
  for (const protocol of protocols) {
    if (protocol.startsWith(WS_PROTOCOL_ENCODING)) {
      const value = protocol.slice(WS_PROTOCOL_ENCODING.length);
      if (!isEncoding(value)) return undefined;
      encoding = value;
    } else if (protocol.startsWith(WS_PROTOCOL_CONN_PARAMS)) {
      const text = safeDecode(protocol.slice(WS_PROTOCOL_CONN_PARAMS.length));
      if (text === undefined) return undefined;
      try {
        params = JSON.parse(text);
      } catch {
        return undefined;
      }
      credential = credentialFromParams(params);
    }
  }
  return { encoding, credential, params };
}

/** Who a verified credential belongs to. */
export interface Caller {
  userId: string;
  internal: boolean;
  /** For internal credentials: the one actor type they open (internal-auth.ts). */
  audience?: ActorType;
}

/** A refusal in RivetKit's error shape (`group.code`), with the HTTP status it is sent with. */
export interface Refusal {
  status: 400 | 401 | 402 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503;
  group: string;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export const refusal = (
  status: Refusal["status"],
  code: string,
  message: string,
  group = "user",
): Refusal => ({
  status,
  group,
  code,
  message,
});

export const ROUTE_NOT_FOUND = refusal(404, "not_found", "Route not found", "route");
export const FORBIDDEN = refusal(403, "forbidden", "This actor does not belong to you");

/**
 * May `caller` do `kind` on the actor `name`+`key`? The same answer for "not yours" and "malformed", as the actors
 * give (actor-keys.ts). Sub-agents are created only by the user's Grow Agent (internal credentials): a client
 * may look one up and call it, never create one, and never pass an input.
 */
export function decideAccess(
  kind: "lookup" | "getOrCreate" | "create" | "action" | "connect",
  actor: { name: unknown; key: readonly string[] | undefined },
  caller: Caller,
  options: { input?: boolean } = {},
): Refusal | undefined {
  if (!isActorType(actor.name) || !actor.key) return FORBIDDEN;
  if (keyOwner(actor.name, actor.key) !== caller.userId) return FORBIDDEN;
  if (caller.internal && caller.audience !== actor.name) return FORBIDDEN;
  const creates = kind === "getOrCreate" || kind === "create";
  if (creates && !caller.internal) {
    if (actor.name === "subAgent")
      return refusal(403, "forbidden", "Sub-agents are started by your Grow Agent, not created by clients");
    if (options.input) return refusal(400, "invalid_request", "Actors take no input from clients");
  }
  return undefined;
}
