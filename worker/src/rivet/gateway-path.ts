import { parseActorId } from "./actor-id";

/**
 * Recognises the one request shape every RivetKit client action and raw request uses once it knows the actor
 * id: `/gateway/<actorId>/<path>` (path already stripped of the manager's base path). Mirrors RivetKit 2.2.1's
 * `parseActorPath` (src/manager/gateway.ts) for the cases it accepts, and accepts only ids this driver issued:
 * anything else (a token after `@`, `//`, a foreign id) is left to RivetKit's router, which knows the answer.
 * `actorPath` is what the actor's own router sees: the rest of the path, `/` when there is none.
 */
export function parseGatewayPath(pathname: string): { actorId: string; actorPath: string } | undefined {
  if (!pathname.startsWith(GATEWAY_PREFIX) || pathname.includes("//")) return undefined;
  const slash = pathname.indexOf("/", GATEWAY_PREFIX.length);
  const segment = pathname.slice(GATEWAY_PREFIX.length, slash === -1 ? undefined : slash);
  if (segment.includes("@")) return undefined;
  let actorId: string;
  try {
    actorId = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  if (!parseActorId(actorId)) return undefined;
  return { actorId, actorPath: slash === -1 ? "/" : pathname.slice(slash) };
}

const GATEWAY_PREFIX = "/gateway/";
