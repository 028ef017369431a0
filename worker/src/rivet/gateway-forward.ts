import { createLogger } from "../../../platform/logger";
import { ACTOR_ID_HEADER } from "./actor-rpc";

const log = createLogger({ service: "rivet-gateway" });

type ActorFetcher = { fetch(request: Request): Promise<Response> };

/**
 * The hot path of a client's HTTP request to an actor it has resolved (every stateless action): straight from the
 * Worker to the actor's Durable Object with one Request built, instead of through RivetKit's manager router, whose
 * Hono dispatch, logger and CORS middlewares, and three copies of the request (base-path rewrite, gateway proxy,
 * actor-id header) cost ~0.1 ms per request. What the router would have done is kept: the same request reaches the
 * actor (all client headers, the rest of the path and the query, the resolved id in ACTOR_ID_HEADER), and the
 * answer carries RivetKit's CORS headers (src/common/cors.ts), which the object adds (`withRivetCors` in
 * actor-durable-object.ts) so that its answer passes through here as it is: a response from a stub has immutable
 * headers, and copying it to add them was a third of this function's time. WebSocket upgrades and preflights still
 * go through the router (rivet-handler.ts decides).
 */
export async function forwardToActor(
  stub: ActorFetcher,
  request: Request,
  actorId: string,
  actorUrl: string,
): Promise<Response> {
  // One copy of the client's request (method, headers, body, signal), its headers mutable: building a Headers
  // first and then a Request from it copied every header twice.
  const actorRequest = new Request(actorUrl, request);
  actorRequest.headers.set(ACTOR_ID_HEADER, actorId);
  try {
    return await stub.fetch(actorRequest);
  } catch (error) {
    // The actor's own router answers every error it meets; this is the object being unreachable (reset,
    // overloaded). RivetKit's router would log it and answer its internal error, which is what clients expect.
    log.warn("actor object unreachable", { error });
    return withRivetCors(internalError(), request.headers.get("origin"));
  }
}

/**
 * RivetKit's CORS headers on a non-preflight answer: the caller's origin (or `*`), with credentials. Set in place
 * when the headers are mutable (every answer RivetKit's routers build); an actor's raw `onRequest` may return a
 * response whose headers are not (one it fetched), which is copied.
 */
export function withRivetCors(response: Response, origin: string | null): Response {
  try {
    setRivetCors(response.headers, origin);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    setRivetCors(copy.headers, origin);
    return copy;
  }
}

function setRivetCors(headers: Headers, origin: string | null): void {
  headers.set("access-control-allow-origin", origin || "*");
  headers.set("access-control-allow-credentials", "true");
  headers.set("access-control-expose-headers", "*");
  if (origin && origin !== "*") headers.set("vary", "Origin");
}

/** RivetKit's answer to an unexpected error (deconstructError without exposed internals), in its JSON encoding. */
function internalError(): Response {
  return Response.json(
    {
      group: "rivetkit",
      code: "internal_error",
      message: "Internal error. Read the server logs for more details.",
      metadata: {},
    },
    { status: 500 },
  );
}
