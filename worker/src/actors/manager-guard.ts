import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { ApiError } from "../../../platform/api-error";
import { splitList } from "../auth/auth-config";
import { userFromAuthorization } from "../auth/require-user";
import { bearerToken } from "../auth/verify-token";
import { isDatabaseUnavailable } from "../db/database-errors";
import type { AppEnv, Env } from "../env";
import {
  MAX_RIVET_ACTION_BODY_BYTES,
  MAX_RIVET_MANAGER_BODY_BYTES,
  RATE_LIMIT_WINDOW_SECONDS,
} from "../http/limits";
import { takeUserRequest } from "../http/rate-limit";
import { drainBody, readBodyWithin } from "../http/read-body";
import { closedWebSocket } from "../rivet/websocket-upgrade";
import { isActionBody } from "./action-body";
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from "./actor-errors";
import { verifyInternalParams } from "./internal-auth";
import {
  type Caller,
  CONN_PARAMS_HEADER,
  type Credential,
  classifyManagerRoute,
  credentialFromParamsHeader,
  decideAccess,
  ENCODINGS,
  isActorType,
  isEncoding,
  parseSerializedKey,
  parseWebSocketOffer,
  type Refusal,
  ROUTE_NOT_FOUND,
  refusal,
  type WebSocketOffer,
} from "./manager-routes";

/**
 * The guard in front of RivetKit's manager API (`/api/rivet/*`): the same credentials as an action (a verified
 * session token, or the internal actor credential) and ownership of the key a request names, the per-user rate
 * limit, body limits per route, and only the routes our clients use (manager-routes.ts). What passes is rebuilt
 * from what was checked (canonical path, query, headers and body), so RivetKit never parses anything the guard
 * did not. Refusals are RivetKit's error shape (`{ group, code, message }`, JSON, which its client reads whatever
 * encoding it asked for); a refused WebSocket is accepted and closed with `group.code`, as the actors refuse.
 *
 * Actors calling each other (`c.client()`) and the REST routes' client go straight through the manager driver
 * to the Durable Objects, never through this HTTP mount, so nothing here is on their path.
 */

/** What the guard needs of the RivetKit mount (worker/src/rivet). */
export interface RivetMount {
  fetch(request: Request, env: Env): Promise<Response>;
  describe(env: Env, actorId: string): Promise<{ name: string; key: string[] } | undefined>;
  /** Whether `action` is one of actor type `name`'s own actions (from the registry, which needs workerd). */
  hasAction(name: string, action: string): boolean;
}

const BASE_PATH = "/api/rivet";

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

/** CORS for RivetKit's routes by the API's allowlist (`CORS_ORIGINS`); RivetKit's own echo of any origin is removed. */
export const corsForRivet: MiddlewareHandler<AppEnv> = (c, next) =>
  cors({
    origin: (origin) => (splitList(c.env.CORS_ORIGINS).includes(origin) ? origin : null),
    // RivetKit's client fetches with `credentials: "include"`: a browser reads the answer only with this, and only
    // for the exact (allowlisted) origin. No cookie means anything here; the token travels in params or a header.
    credentials: true,
    allowMethods: ["GET", "PUT", "POST", "OPTIONS"],
    allowHeaders: [
      "Authorization",
      "Content-Type",
      "User-Agent",
      "X-Request-Id",
      "x-rivet-encoding",
      CONN_PARAMS_HEADER,
    ],
    exposeHeaders: ["X-Request-Id", "Retry-After"],
    maxAge: 600,
  })(c, next);

/** The handler of `/api/rivet/*`: checks, then passes a rebuilt request to RivetKit. */
export function guardRivet(rivet: RivetMount) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const state = { socketOffer: undefined as WebSocketOffer | undefined };
    try {
      return withoutRivetCors(await route(c, rivet, state));
    } catch (error) {
      const refused = toRefusal(error, c);
      await drainBody(c.req.raw);
      if (state.socketOffer) {
        // How RivetKit clients learn why a connection failed: an HTTP error on the upgrade has no readable reason.
        return closedWebSocket(
          c.req.raw,
          `${refused.group}.${refused.code}`,
          refused.status >= 500 ? 1011 : 1008,
        );
      }
      return refusedResponse(refused);
    }
  };
}

async function route(c: Context<AppEnv>, rivet: RivetMount, state: { socketOffer?: WebSocketOffer }) {
  const url = new URL(c.req.url);
  const webSocket = c.req.header("upgrade")?.toLowerCase() === "websocket";
  const found = classifyManagerRoute({
    method: c.req.method,
    path: url.pathname.slice(BASE_PATH.length),
    query: url.searchParams,
    webSocket,
  });
  if (!found) throw new Refused(ROUTE_NOT_FOUND);
  const forward = (path: string, init: RequestInit) =>
    rivet.fetch(new Request(new URL(`${BASE_PATH}${path}`, url.origin), init), c.env);

  switch (found.kind) {
    case "metadata":
      // Every RivetKit client fetches this before its first call (and retries it forever), so it needs no
      // credentials; it is answered here with nothing from the registry (RivetKit's lists versions and names).
      return Response.json({ runtime: "rivetkit" });
    case "lookup": {
      const caller = await callerOf(c, managerCredential(c));
      deny(
        decideAccess("lookup", { name: found.name, key: parseSerializedKey(found.serializedKey) }, caller),
      );
      const query = new URLSearchParams({ name: found.name, key: found.serializedKey });
      return forward(`/actors?${query}`, { method: "GET" });
    }
    case "getOrCreate":
    case "create": {
      const caller = await callerOf(c, managerCredential(c));
      const body = parseActorRequest(await readBody(c.req.raw, MAX_RIVET_MANAGER_BODY_BYTES));
      const key = parseSerializedKey(body.key);
      deny(decideAccess(found.kind, { name: body.name, key }, caller, { input: body.input !== undefined }));
      return forward("/actors", {
        method: found.kind === "create" ? "POST" : "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: body.name,
          key: body.key,
          runner_name_selector: "default",
          crash_policy: "sleep",
          ...(body.input === undefined ? {} : { input: body.input }),
        }),
      });
    }
    case "action": {
      const paramsHeader = c.req.header(CONN_PARAMS_HEADER);
      const caller = await callerOf(c, credentialFromParamsHeader(paramsHeader));
      const actor = await describe(c, rivet, found.actorId);
      deny(decideAccess("action", actor, caller));
      // RivetKit finds an action with `name in actions`, which also finds `constructor`, `toString` and the rest of
      // Object.prototype (`constructor` answered with the action context): only the actor's own actions pass.
      if (!isActorType(actor.name) || !rivet.hasAction(actor.name, found.action))
        throw new Refused(refusal(404, "not_found", "No such action", "action"));
      const encoding = c.req.header("x-rivet-encoding");
      if (encoding !== undefined && !isEncoding(encoding))
        throw new Refused(
          refusal(400, "invalid_encoding", `Unknown encoding; use one of ${ENCODINGS.join(", ")}`),
        );
      // Past the limit, the answer RivetKit gives an action past `maxIncomingMessageSize` (the same bound).
      const body = await readBody(
        c.req.raw,
        MAX_RIVET_ACTION_BODY_BYTES,
        refusal(413, "incoming_too_long", "Incoming message too long", "message"),
      );
      // A missing header is RivetKit's json.
      if (!isActionBody(encoding ?? "json", body))
        throw new Refused(
          refusal(400, "invalid_request", "The body is not an action request in this encoding"),
        );
      const headers = new Headers();
      for (const [name, value] of [
        ["content-type", c.req.header("content-type")],
        ["x-rivet-encoding", encoding],
        [CONN_PARAMS_HEADER, paramsHeader],
      ] as const) {
        if (value !== undefined) headers.set(name, value);
      }
      const path = `/gateway/${encodeURIComponent(found.actorId)}/action/${encodeURIComponent(found.action)}`;
      return forward(path, { method: "POST", headers, body });
    }
    case "connect": {
      const offer = parseWebSocketOffer(c.req.header("sec-websocket-protocol"));
      if (!offer) throw new Refused(refusal(400, "invalid_request", "Not a RivetKit WebSocket offer"));
      state.socketOffer = offer;
      const caller = await callerOf(c, offer.credential);
      deny(decideAccess("connect", await describe(c, rivet, found.actorId), caller));
      return forward(`/gateway/${encodeURIComponent(found.actorId)}/connect`, {
        headers: {
          Upgrade: "websocket",
          Connection: "Upgrade",
          "Sec-WebSocket-Protocol": offerProtocols(offer).join(", "),
        },
      });
    }
  }
}

function deny(refused: Refusal | undefined): void {
  if (refused) throw new Refused(refused);
}

/** The actor a gateway request is for; an unknown or stale id is `actor.not_found`, which makes clients re-resolve. */
async function describe(c: Context<AppEnv>, rivet: RivetMount, actorId: string) {
  const actor = await rivet.describe(c.env, actorId);
  if (!actor) throw new Refused(refusal(404, "not_found", "The actor was not found", "actor"));
  return actor;
}

/** Manager calls carry no connection params: RivetKit's client sends its `headers`/`token` options instead. */
function managerCredential(c: Context<AppEnv>): Credential {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) return { kind: "token", token: bearerToken(authorization) };
  return credentialFromParamsHeader(c.req.header(CONN_PARAMS_HEADER));
}

/** Verifies the credential as the actors do (connection-auth.ts), then counts the request against the user. */
async function callerOf(c: Context<AppEnv>, credential: Credential): Promise<Caller> {
  let caller: Caller | undefined;
  switch (credential.kind) {
    case "none":
      throw new Refused(
        refusal(
          401,
          "missing_token",
          "Pass a session token: connection params { token } or Authorization: Bearer",
        ),
      );
    case "malformed":
      throw new Refused(refusal(401, "invalid_token", "The connection params carry no valid session token"));
    case "internal": {
      // The credential names the actor type it is for; decideAccess holds it to the actor addressed.
      const audiences = ["growAgent", "subAgent"] as const;
      for (const audience of audiences) {
        const verified = await verifyInternalParams(c.env, credential.params, audience);
        if (verified) caller = { userId: verified.userId, internal: true, audience };
      }
      if (!caller) throw new Refused(refusal(403, "forbidden", "Invalid internal credentials"));
      break;
    }
    case "token": {
      // The REST API's path: the same shape and length check before any cryptography, the same user cache.
      const { user } = await userFromAuthorization(c.env, c.var.db, `Bearer ${credential.token}`);
      caller = { userId: user.id, internal: false };
      break;
    }
  }
  if (!(await takeUserRequest(c.env, caller.userId))) {
    throw new Refused({
      ...refusal(429, "rate_limited", `Too many requests; retry in ${RATE_LIMIT_WINDOW_SECONDS} seconds`),
      headers: { "Retry-After": String(RATE_LIMIT_WINDOW_SECONDS) },
    });
  }
  return caller;
}

interface ActorRequest {
  name: unknown;
  key: unknown;
  /** RivetKit's base64 CBOR input, when one was sent. */
  input?: string;
}

/** `PUT`/`POST /actors` bodies as RivetKit's client sends them (JSON); only the fields the manager reads. */
function parseActorRequest(bytes: Uint8Array): ActorRequest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new Refused(refusal(400, "invalid_request", "The body is not JSON"));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Refused(refusal(400, "invalid_request", "The body must be a JSON object"));
  const { name, key, input } = value as Record<string, unknown>;
  if (typeof name !== "string" || typeof key !== "string")
    throw new Refused(refusal(400, "invalid_request", "name and key must be strings"));
  if (input !== undefined && input !== null && typeof input !== "string")
    throw new Refused(refusal(400, "invalid_request", "input must be a string"));
  return { name, key, ...(typeof input === "string" && input.length > 0 ? { input } : {}) };
}

/** The sub-protocols RivetKit's gateway reads, rebuilt from the parsed offer. */
function offerProtocols(offer: WebSocketOffer): string[] {
  const protocols = ["rivet", `rivet_encoding.${offer.encoding}`];
  if (offer.params !== undefined)
    protocols.push(`rivet_conn_params.${encodeURIComponent(JSON.stringify(offer.params))}`);
  return protocols;
}

/** The body, or the refusal (RivetKit's 413 by default) past `max` bytes. */
async function readBody(
  request: Request,
  max: number,
  tooLarge = refusal(413, "payload_too_large", `Request bodies are limited to ${max} bytes here`),
): Promise<Uint8Array> {
  const bytes = await readBodyWithin(request, max);
  if (!bytes) throw new Refused(tooLarge);
  return bytes;
}

function toRefusal(error: unknown, c: Context<AppEnv>): Refusal {
  if (error instanceof Refused) return error.refusal;
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
    return {
      ...refusal(error.status as Refusal["status"], error.code, error.message),
      headers: error.headers,
    };
  }
  if (error instanceof ApiError && error.status === 503) {
    return { ...refusal(503, error.code, error.message), headers: error.headers };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      ...refusal(503, "unavailable", "The database is unreachable; try again shortly"),
      headers: { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
    };
  }
  c.var.log?.error("rivet guard failed", { error, stack: error instanceof Error ? error.stack : undefined });
  return { status: 500, group: "rivetkit", code: "internal_error", message: "An internal error occurred" };
}

function refusedResponse(refused: Refusal): Response {
  const { group, code, message } = refused;
  return new Response(JSON.stringify({ group, code, message }), {
    status: refused.status,
    headers: { "content-type": "application/json", ...refused.headers },
  });
}

/** RivetKit's router answers every origin with credentials allowed; corsForRivet sets the allowlisted ones. */
function withoutRivetCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const name of [...headers.keys()]) {
    if (name.startsWith("access-control-")) headers.delete(name);
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
    webSocket: response.webSocket ?? null,
  });
}
