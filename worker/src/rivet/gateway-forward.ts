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
 * answer carries RivetKit's CORS headers (src/common/cors.ts). WebSocket upgrades and preflights still go through
 * the router (rivet-handler.ts decides).
 */
export async function forwardToActor(
  stub: ActorFetcher,
  request: Request,
  actorId: string,
  actorUrl: string,
): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set(ACTOR_ID_HEADER, actorId);
  const actorRequest = new Request(actorUrl, {
    method: request.method,
    headers,
    body: request.body,
    signal: request.signal,
  });
  let response: Response;
  try {
    response = await stub.fetch(actorRequest);
  } catch (error) {
    // The actor's own router answers every error it meets; this is the object being unreachable (reset,
    // overloaded). RivetKit's router would log it and answer its internal error, which is what clients expect.
    log.warn("actor object unreachable", { error });
    response = internalError();
  }
  return withRivetCors(response, request.headers.get("origin"));
}

/** RivetKit's CORS headers on a non-preflight answer: the caller's origin (or `*`), with credentials. */
export function withRivetCors(response: Response, origin: string | null): Response {
  const answer = new Response(response.body, response);
  answer.headers.set("access-control-allow-origin", origin || "*");
  answer.headers.set("access-control-allow-credentials", "true");
  answer.headers.set("access-control-expose-headers", "*");
  if (origin && origin !== "*") answer.headers.set("vary", "Origin");
  return answer;
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
