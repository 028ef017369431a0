import type { Encoding } from "rivetkit";
import {
  WS_PROTOCOL_ACTOR,
  WS_PROTOCOL_CONN_PARAMS,
  WS_PROTOCOL_ENCODING,
  WS_PROTOCOL_STANDARD,
  WS_PROTOCOL_TARGET,
} from "rivetkit/driver-helpers";

/**
 * The `Sec-WebSocket-Protocol` list the actor router inside the Durable Object reads: RivetKit carries
 * encoding and connection params in sub-protocols because browsers cannot set headers on WebSockets.
 */
export function actorWebSocketProtocols(actorId: string, encoding: Encoding, params: unknown): string[] {
  const protocols = [
    WS_PROTOCOL_STANDARD,
    `${WS_PROTOCOL_TARGET}actor`,
    `${WS_PROTOCOL_ACTOR}${encodeURIComponent(actorId)}`,
    `${WS_PROTOCOL_ENCODING}${encoding}`,
  ];
  if (params !== undefined && params !== null) {
    protocols.push(`${WS_PROTOCOL_CONN_PARAMS}${encodeURIComponent(JSON.stringify(params))}`);
  }
  return protocols;
}

/**
 * The sub-protocol the server answers with: a WebSocket client fails the handshake if the server picks
 * one it did not offer, or none when it offered some. RivetKit clients offer `rivet`; raw sockets may
 * offer their own, and then the first is echoed.
 */
export function selectWebSocketProtocol(offered: string | null | undefined): string | undefined {
  const list = (offered ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (list.includes(WS_PROTOCOL_STANDARD)) return WS_PROTOCOL_STANDARD;
  return list[0];
}
