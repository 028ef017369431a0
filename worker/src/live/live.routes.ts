import { Hono } from "hono";
import { LIVE_PROTOCOL, tokenFromProtocols } from "../../../contract/live";
import { ApiError } from "../../../platform/api-error";
import { userFromAuthorization } from "../auth/require-user";
import type { AppEnv, Env } from "../env";
import { MAX_LIVE_SOCKETS_PER_USER, RATE_LIMIT_WINDOW_SECONDS } from "../http/limits";
import { takeUserRequest } from "../http/rate-limit";
import { EPOCH_HEADER, type SocketAttachment, subscriberHeaders } from "./live-hub";

/**
 * `GET /api/live`: the user's live channel, a WebSocket to their LiveHub (live-hub.do.ts). The token is checked
 * here, as for every route (signature, claims, then the mirrored user), from `Authorization` or, for browsers,
 * which cannot set headers on a WebSocket, from the offered sub-protocols (contract/live.ts). No token, a bad or
 * an expired one: 401 before any upgrade. The upgrade then goes to the hub of the verified user, and only theirs.
 */
export const liveRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const offered = c.req.header("sec-websocket-protocol");
  const fromProtocol = tokenFromProtocols(offered);
  const authorization =
    c.req.header("authorization") ?? (fromProtocol ? `Bearer ${fromProtocol}` : undefined);
  const { claims, user } = await userFromAuthorization(c.env, c.var.db, authorization);
  // The verifier allows a few seconds of clock skew; a socket does not (as connection-auth.ts): it would look open
  // to the client yet be closed at once.
  if (Date.now() >= claims.expiresAt * 1000) {
    throw new ApiError("token_expired", "The session token has expired; refresh it", {
      "WWW-Authenticate": `Bearer error="invalid_token"`,
    });
  }
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("invalid_request", "Open the live channel as a WebSocket");
  }
  // The REST API's per-user budget: a client reconnecting in a loop is held back like any other.
  if (!(await takeUserRequest(c.env, user.id))) {
    throw new ApiError("rate_limited", `Too many requests; retry in ${RATE_LIMIT_WINDOW_SECONDS} seconds`, {
      "Retry-After": String(RATE_LIMIT_WINDOW_SECONDS),
    });
  }
  const protocol = (offered ?? "").split(",").some((p) => p.trim() === LIVE_PROTOCOL)
    ? LIVE_PROTOCOL
    : undefined;
  const upgraded = await openHubSocket(
    c.env,
    {
      kind: "spa",
      state: { userId: user.id, clerkUserId: claims.sub, tokenExpiresAt: claims.expiresAt * 1000 },
    },
    protocol,
  );
  // A Response of our own: middleware adds headers after this (Server-Timing), and a stub's are immutable.
  const headers = new Headers(upgraded.headers);
  // The Worker's business (an SSE stream hands it to the agent), not the browser's.
  headers.delete(EPOCH_HEADER);
  return new Response(null, {
    status: upgraded.status,
    headers,
    webSocket: upgraded.webSocket ?? null,
  });
});

/**
 * The upgrade to `attachment`'s user's hub, with only the headers the hub reads (none of the client's: the token
 * stays in the Worker). `protocol`: the sub-protocol the hub answers with, when the client offered it.
 */
export async function openHubSocket(
  env: Env,
  attachment: SocketAttachment,
  protocol?: string,
): Promise<Response> {
  const hubs = env.LIVE_HUB;
  if (!hubs) throw new ApiError("actors_unavailable", "The live channel is not available on this server");
  const headers = new Headers(subscriberHeaders(attachment));
  headers.set("upgrade", "websocket");
  if (protocol) headers.set("sec-websocket-protocol", protocol);
  const response = await hubs
    .get(hubs.idFromName(attachment.state.userId))
    .fetch("https://live-hub/connect", { headers });
  if (response.status === 429) {
    throw new ApiError(
      "too_many_streams",
      `At most ${MAX_LIVE_SOCKETS_PER_USER[attachment.kind]} live connections of this kind per user; close one`,
    );
  }
  return response;
}
