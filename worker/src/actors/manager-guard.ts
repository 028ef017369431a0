import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { splitList } from "../auth/auth-config";
import type { AppEnv, Env } from "../env";
import { MAX_RIVET_ACTION_BODY_BYTES, MAX_RIVET_MANAGER_BODY_BYTES } from "../http/limits";
import { drainBody, readBodyWithin } from "../http/read-body";
import { closedWebSocket } from "../rivet/websocket-upgrade";
import { isActionBody } from "./action-body";
import { callerOf, managerCredential } from "./manager-caller";
import { deny, Refused, refusedResponse, toRefusal } from "./manager-refusal";
import {
  forwardedActionHeaders,
  forwardedActorRequest,
  offerProtocols,
  parseActionEncoding,
  parseActorRequest,
} from "./manager-requests";
import {
  CONN_PARAMS_HEADER,
  classifyManagerRoute,
  credentialFromParamsHeader,
  decideAccess,
  isActorType,
  parseSerializedKey,
  parseWebSocketOffer,
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
      const parsed = parseActorRequest(await readBody(c.req.raw, MAX_RIVET_MANAGER_BODY_BYTES));
      if (!parsed.ok) throw new Refused(parsed.refusal);
      const body = parsed.value;
      const key = parseSerializedKey(body.key);
      deny(decideAccess(found.kind, { name: body.name, key }, caller, { input: body.input !== undefined }));
      return forward("/actors", {
        method: found.kind === "create" ? "POST" : "PUT",
        headers: { "content-type": "application/json" },
        body: forwardedActorRequest(body),
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
      const encoding = parseActionEncoding(c.req.header("x-rivet-encoding"));
      if (!encoding.ok) throw new Refused(encoding.refusal);
      // Past the limit, the answer RivetKit gives an action past `maxIncomingMessageSize` (the same bound).
      const body = await readBody(
        c.req.raw,
        MAX_RIVET_ACTION_BODY_BYTES,
        refusal(413, "incoming_too_long", "Incoming message too long", "message"),
      );
      // A missing header is RivetKit's json.
      if (!isActionBody(encoding.value ?? "json", body))
        throw new Refused(
          refusal(400, "invalid_request", "The body is not an action request in this encoding"),
        );
      const headers = forwardedActionHeaders({
        contentType: c.req.header("content-type"),
        encoding: encoding.value,
        params: paramsHeader,
      });
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

/** The actor a gateway request is for; an unknown or stale id is `actor.not_found`, which makes clients re-resolve. */
async function describe(c: Context<AppEnv>, rivet: RivetMount, actorId: string) {
  const actor = await rivet.describe(c.env, actorId);
  if (!actor) throw new Refused(refusal(404, "not_found", "The actor was not found", "actor"));
  return actor;
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
