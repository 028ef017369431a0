import type { IncomingMessage, ServerResponse } from "node:http";
import type { Principal } from "./auth";

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  principal: Principal | null;
  /** Raw (still percent-encoded) captures of the route's pattern. */
  params: string[];
}

export type Handler = (request: RouteRequest, url: URL) => void | Promise<void>;

/** `[method, pattern on the path after /api/v1, handler]`. */
export type Route = readonly [method: string, pattern: RegExp, handler: Handler];
