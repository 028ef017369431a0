import { z } from "zod";

/**
 * The live channel (`GET /api/live`, a WebSocket to the user's LiveHub Durable Object, docs/decisions/0011), shared
 * by the Worker, the SPA and the tests. Browsers cannot set headers on a WebSocket, so the session token travels
 * as a second `Sec-WebSocket-Protocol` entry (`growqr.token.<jwt>`, the characters a JWT uses are valid there);
 * the server answers with `growqr.live.v1`. API consumers that can set headers may send `Authorization: Bearer`.
 */
export const LIVE_PROTOCOL = "growqr.live.v1";
export const LIVE_TOKEN_PROTOCOL_PREFIX = "growqr.token.";

/** The close reason of a socket whose token expired (the actor's, worker/src/actors/conn-expiry.ts). */
export const LIVE_TOKEN_EXPIRED_REASON = "user.token_expired";

/** The sub-protocols a client offers: the channel's name, then its token. */
export const liveProtocols = (token: string): string[] => [
  LIVE_PROTOCOL,
  `${LIVE_TOKEN_PROTOCOL_PREFIX}${token}`,
];

/** The token among offered sub-protocols (the header's value), or undefined. */
export function tokenFromProtocols(header: string | null | undefined): string | undefined {
  for (const entry of (header ?? "").split(",")) {
    const protocol = entry.trim();
    if (protocol.startsWith(LIVE_TOKEN_PROTOCOL_PREFIX))
      return protocol.slice(LIVE_TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

/** From the client: a fresh token of the same user before the socket's expires, or who answers (tests, support). */
export const liveClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("renewToken"), token: z.string().max(8_192) }),
  z.object({ type: z.literal("whoami") }),
]);

/**
 * From the hub: `broadcast` carries what the growAgent broadcast, by the same name (`event` with a thread event
 * envelope, `threadDeleted`, `shareRevoked`, `pong`); the others answer the client's messages. `instance` names the
 * hub's in-memory instance: a new one after the object hibernated (the hibernation test reads it).
 */
export const liveServerMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("broadcast"), name: z.string(), data: z.unknown() }),
  z.object({ type: z.literal("renewed"), expiresAt: z.string() }),
  z.object({ type: z.literal("refused"), code: z.string(), message: z.string() }),
  z.object({ type: z.literal("whoami"), userId: z.string(), instance: z.string() }),
]);
export type LiveServerMessage = z.infer<typeof liveServerMessageSchema>;

/** A live frame's JSON, or undefined when it is not JSON text (the channel sends only text; workerd may hand it over as bytes). */
export function liveFrameJson(data: unknown): unknown {
  const text =
    typeof data === "string"
      ? data
      : data instanceof ArrayBuffer
        ? new TextDecoder().decode(data)
        : undefined;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
