import { DurableObject } from "cloudflare:workers";
import {
  LIVE_PROTOCOL,
  type LiveServerMessage,
  liveClientMessageSchema,
  liveFrameJson,
} from "../../../contract/live";
import { createLogger } from "../../../platform/logger";
import { isRetryableError, retry } from "../../../platform/retry";
import { isActorNotFound } from "../actors/actor-errors";
import { TOKEN_EXPIRED_CLOSE_REASON } from "../actors/conn-expiry";
import { renewConnectionToken } from "../actors/connection-auth";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { Env } from "../env";
import { MAX_LIVE_MESSAGE_BYTES, MAX_LIVE_SOCKETS_PER_USER } from "../http/limits";
import {
  alarmNeeded,
  attachmentFromHeaders,
  type Broadcast,
  EPOCH_HEADER,
  framesOf,
  readAttachment,
  sweep,
} from "./live-hub";
import type { PublishAnswer } from "./live-publisher";

const log = createLogger({ service: "live-hub" });
/** Closing codes: 1000 as RivetKit closes an expired connection (clients read the reason), 1011 for our faults. */
const NORMAL = 1000;
/** Where the epoch (sockets accepted so far) is kept: it must outlive hibernation, as the agent remembers it. */
const EPOCH_KEY = "epoch";
/** Telling the agent a socket opened: brief, since a turn's events are live only from then on. */
const NOTICE_RETRY = { attempts: 4, baseMs: 50, maxMs: 500, maxElapsedMs: 3_000 };
/** The notice's internal credential outlives the call by this margin only. */
const NOTICE_LIFETIME_MS = 60_000;

/**
 * One per user (`idFromName(userId)`): holds the user's live sockets (the SPA's, and the Worker's own for each SSE
 * stream) with the WebSocket Hibernation API, so an idle tab costs no duration: the object is evicted while its
 * sockets stay open, and wakes for the next broadcast the user's growAgent publishes (`publish`) or the next
 * message a client sends. Everything a socket needs survives in its attachment (live-hub.ts); nothing in a field
 * does, and the alarm (not a timer) closes sockets whose token expired. Reached only through the Worker, which
 * verified the token (`GET /api/live`, worker/src/live/live.routes.ts) or vouches for its own stream.
 * The agent stops publishing while the hub holds no socket (a "quiet hub"): `publish` answers the live sockets and
 * the epoch, and each accepted socket is told to the user's growAgent (`hubListening`), through `actorsClient`, the
 * Worker's own client of the actors (worker/src/index.ts).
 * Docs: docs/decisions/0011-live-channel-on-a-hibernating-hub.md.
 */
export const liveHubClass = (actorsClient: ActorsClient) =>
  class LiveHub extends DurableObject<Env> {
    /** Per in-memory instance: a new one after every hibernation (answered to `whoami`, read by the tests). */
    readonly #instance = crypto.randomUUID();
    /** The stored epoch once read (a new instance reads it again). */
    #epoch: number | undefined;

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
      // After the accept: an answer made with this epoch counts this socket (while it is open).
      const epoch = await this.#nextEpoch();
      await this.#armAlarm(attachment.state.tokenExpiresAt);
      // The agent may have gone quiet; a new agent starts loud, so nothing waits for this.
      this.ctx.waitUntil(this.#tellAgent(attachment.state.userId, epoch));
      const headers = new Headers({ [EPOCH_HEADER]: String(epoch) });
      const offered = request.headers.get("sec-websocket-protocol") ?? "";
      if (offered.split(",").some((p) => p.trim() === LIVE_PROTOCOL)) {
        headers.set("Sec-WebSocket-Protocol", LIVE_PROTOCOL);
      }
      return new Response(null, { status: 101, webSocket: client, headers });
    }

    /**
     * From the user's growAgent (live-publisher.ts): broadcasts in the order they were made. A socket whose token
     * expired gets none of them and is closed instead. Answers how many sockets got them, how many are live (none:
     * the agent goes quiet) and the epoch that count is as of.
     */
    async publish(batch: Broadcast[]): Promise<PublishAnswer> {
      const { live, expired } = sweep(
        this.ctx.getWebSockets(),
        (ws) => ws.deserializeAttachment(),
        Date.now(),
      );
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
      return { delivered, listeners: live.length, epoch: await this.#currentEpoch() };
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

    async #currentEpoch(): Promise<number> {
      this.#epoch ??= (await this.ctx.storage.get<number>(EPOCH_KEY)) ?? 0;
      return this.#epoch;
    }

    async #nextEpoch(): Promise<number> {
      const epoch = (await this.#currentEpoch()) + 1;
      this.#epoch = epoch;
      await this.ctx.storage.put(EPOCH_KEY, epoch);
      return epoch;
    }

    /** `hubListening` on the user's agent, if it exists (get, not create: a user without one has nothing to wake). */
    async #tellAgent(userId: string, epoch: number): Promise<void> {
      try {
        await retry(
          async () => {
            const actors = userActors(actorsClient, this.env, userId, NOTICE_LIFETIME_MS);
            await (await actors.existingGrowAgent()).hubListening({ epoch });
          },
          { ...NOTICE_RETRY, shouldRetry: (error) => !isActorNotFound(error) && isRetryableError(error) },
        );
      } catch (error) {
        if (!isActorNotFound(error))
          log.warn("could not tell the agent a live socket opened", { epoch, error });
      }
    }
  };

/** The hub's class (worker/src/index.ts binds it to the Worker's actors client). */
export type LiveHub = InstanceType<ReturnType<typeof liveHubClass>>;

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
