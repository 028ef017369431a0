import type { UpgradeWebSocket, WSEvents, WSReadyState } from "hono/ws";
import { defineWebSocketHelper, WSContext } from "hono/ws";
import { selectWebSocketProtocol } from "./websocket-protocols";

/**
 * Hono's WebSocket upgrade for workerd, with two differences from `hono/cloudflare-workers` that
 * RivetKit needs: `onOpen` fires right after `accept()` (workerd never emits "open" on the server end,
 * and RivetKit only registers a connection on open), and the chosen sub-protocol is echoed so clients
 * that offered `rivet` accept the handshake.
 *
 * Binary frames: since compatibility date 2026-03 workerd delivers them as Blob; RivetKit actors expect
 * ArrayBuffer, so the Worker needs the `no_websocket_standard_binary_type` flag (setting `binaryType` on
 * the accepted socket did not take effect in workerd here).
 *
 * Uses `accept()`, not the hibernation API: see docs/rivetkit-driver.md for why.
 */
export const upgradeWebSocket: UpgradeWebSocket<
  WebSocket,
  unknown,
  WSEvents<WebSocket>
> = defineWebSocketHelper(async (c, events) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") return;

  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  const context = new WSContext<WebSocket>({
    close: (code, reason) => server.close(code, reason),
    get protocol() {
      return server.protocol;
    },
    raw: server,
    get readyState() {
      return server.readyState as WSReadyState;
    },
    url: server.url ? new URL(server.url) : null,
    send: (data) => server.send(data),
  });

  server.addEventListener("message", (event) => events.onMessage?.(event, context));
  server.addEventListener("close", (event) => events.onClose?.(event, context));
  server.addEventListener("error", (event) => events.onError?.(event, context));
  server.accept();
  events.onOpen?.(new Event("open"), context);

  const protocol = selectWebSocketProtocol(c.req.header("Sec-WebSocket-Protocol"));
  return new Response(null, {
    status: 101,
    headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {},
    webSocket: client,
  });
});

/**
 * Accepts a WebSocket only to close it at once with `group.code` as the reason: that is how RivetKit
 * clients learn why a connection failed (an HTTP error on the upgrade carries no readable reason), and
 * `actor.not_found` makes them re-resolve a stale actor id. `code`: 1011 for a server-side failure, 1008 for a
 * refused caller.
 */
export function closedWebSocket(request: Request, reason: string, code = 1011): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  server.close(code, reason);
  const protocol = selectWebSocketProtocol(request.headers.get("Sec-WebSocket-Protocol"));
  return new Response(null, {
    status: 101,
    headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {},
    webSocket: client,
  });
}
