import { DurableObject } from "cloudflare:workers";
import {
  LIVE_PROTOCOL,
  type LiveServerMessage,
  liveClientMessageSchema,
  liveFrameJson,
} from "../../../contract/live";
import { createLogger } from "../../../platform/logger";
import { TOKEN_EXPIRED_CLOSE_REASON } from "../actors/conn-expiry";
import { renewConnectionToken } from "../actors/connection-auth";
import type { Env } from "../env";
import { MAX_LIVE_MESSAGE_BYTES, MAX_LIVE_SOCKETS_PER_USER } from "../http/limits";
import {
  alarmNeeded,
  attachmentFromHeaders,
  type Broadcast,
  framesOf,
  readAttachment,
  sweep,
} from "./live-hub";

const log = createLogger({ service: "live-hub" });
/** Closing codes: 1000 as RivetKit closes an expired connection (clients read the reason), 1011 for our faults. */
const NORMAL = 1000;

/**
 * One per user (`idFromName(userId)`): holds the user's live sockets (the SPA's, and the Worker's own for each SSE
 * stream) with the WebSocket Hibernation API, so an idle tab costs no duration: the object is evicted while its
 * sockets stay open, and wakes for the next broadcast the user's growAgent publishes (`publish`) or the next
 * message a client sends. Everything a socket needs survives in its attachment (live-hub.ts); nothing in a field
 * does, and the alarm (not a timer) closes sockets whose token expired. Reached only through the Worker, which
 * verified the token (`GET /api/live`, worker/src/live/live.routes.ts) or vouches for its own stream.
 * Docs: docs/decisions/0011-live-channel-on-a-hibernating-hub.md.
 */
export class LiveHub extends DurableObject<Env> {
  /** Per in-memory instance: a new one after every hibernation (answered to `whoami`, read by the tests). */
  readonly #instance = crypto.randomUUID();

  override async fetch(request: Request): Promise<Response> {
    const attachment = attachmentFromHeaders(request.headers);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !attachment) {
      return new Response("Expected a WebSocket upgrade from the Worker", { status: 400 });
    }
    if (this.ctx.getWebSockets(attachment.kind).length >= MAX_LIVE_SOCKETS_PER_USER[attachment.kind]) {
      // The Worker answers this as `too_many_streams` (openHubSocket).
      return new Response("Too many live sockets for this user", { status: 429 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [attachment.kind]);
    server.serializeAttachment(attachment);
    await this.#armAlarm(attachment.state.tokenExpiresAt);
    const offered = request.headers.get("sec-websocket-protocol") ?? "";
    const headers = offered.split(",").some((p) => p.trim() === LIVE_PROTOCOL)
      ? { "Sec-WebSocket-Protocol": LIVE_PROTOCOL }
      : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /**
   * From the user's growAgent (live-publisher.ts): broadcasts in the order they were made. A socket whose token
   * expired gets none of them and is closed instead. Answers how many sockets got them.
   */
  async publish(batch: Broadcast[]): Promise<{ delivered: number }> {
    const { live, expired } = sweep(this.ctx.getWebSockets(), (ws) => ws.deserializeAttachment(), Date.now());
    for (const ws of expired) closeExpired(ws);
    const frames = framesOf(batch);
    let delivered = 0;
    for (const ws of live) {
      try {
        for (const frame of frames) ws.send(frame);
        delivered++;
      } catch (error) {
        // One socket's failure (closing under us) must not starve the others.
        log.warn("sending to a live socket failed", { error });
      }
    }
    return { delivered };
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = readAttachment(ws.deserializeAttachment());
    if (!attachment || Date.now() >= attachment.state.tokenExpiresAt) return closeExpired(ws);
    if ((typeof message === "string" ? message.length * 3 : message.byteLength) > MAX_LIVE_MESSAGE_BYTES) {
      return reply(ws, { type: "refused", code: "invalid_message", message: "The message is too large" });
    }
    const parsed = liveClientMessageSchema.safeParse(liveFrameJson(message));
    if (!parsed.success) {
      return reply(ws, { type: "refused", code: "invalid_message", message: "Not a live channel message" });
    }
    if (parsed.data.type === "whoami") {
      return reply(ws, { type: "whoami", userId: attachment.state.userId, instance: this.#instance });
    }
    try {
      // The actor's own check: a token of the same user, valid by our clock; never for the Worker's streams.
      const state = await renewConnectionToken(this.env, attachment.state, parsed.data.token);
      ws.serializeAttachment({ ...attachment, state });
      reply(ws, { type: "renewed", expiresAt: new Date(state.tokenExpiresAt).toISOString() });
    } catch (error) {
      const { code = "invalid_token", message = "The token was refused" } = error as {
        code?: string;
        message?: string;
      };
      reply(ws, { type: "refused", code, message });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Completes the closing handshake the client started (1005/1006 cannot be sent back).
    try {
      ws.close(code === 1005 || code === 1006 ? NORMAL : code, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    log.warn("live socket error", { error });
    try {
      ws.close(1011, "socket error");
    } catch {
      // Already closed.
    }
  }

  /** At the earliest expiry: closes what expired (a quiet hub too), and re-arms for the next. */
  override async alarm(): Promise<void> {
    const { expired, nextAlarm } = sweep(
      this.ctx.getWebSockets(),
      (ws) => ws.deserializeAttachment(),
      Date.now(),
    );
    for (const ws of expired) closeExpired(ws);
    if (nextAlarm !== undefined) await this.ctx.storage.setAlarm(nextAlarm);
  }

  async #armAlarm(at: number): Promise<void> {
    if (alarmNeeded(await this.ctx.storage.getAlarm(), at)) await this.ctx.storage.setAlarm(at);
  }
}

function closeExpired(ws: WebSocket): void {
  try {
    ws.close(NORMAL, TOKEN_EXPIRED_CLOSE_REASON);
  } catch {
    // Already closing.
  }
}

function reply(ws: WebSocket, message: LiveServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // Closed meanwhile: the client reconnects.
  }
}
