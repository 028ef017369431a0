import type { LiveServerMessage } from "../../../contract/live";
import { nextExpiry, partitionByExpiry } from "../actors/conn-expiry";
import type { ConnState } from "../actors/connection-auth";

/**
 * The LiveHub's decisions, pure (live-hub.do.ts only wires sockets, storage and the alarm to them): what a socket
 * carries through hibernation, what the Worker tells the hub about a socket it vouches for, which sockets an
 * event may reach and when the next one must be closed.
 */

/** `spa`: a browser (or API consumer) through `GET /api/live`; `sse`: the Worker's own subscriber for a stream. */
export type SocketKind = "spa" | "sse";

/**
 * What each socket carries in `serializeAttachment` (nothing else survives hibernation): the verified caller, as
 * an actor connection's state, so expiry (conn-expiry.ts) and renewal (`renewConnectionToken`) are the actor's own.
 */
export interface SocketAttachment {
  kind: SocketKind;
  state: ConnState;
}

/** The hub's answer to the Worker's upgrade: the socket's epoch (an SSE stream hands it to the agent). */
export const EPOCH_HEADER = "x-live-epoch";

/** Headers only the Worker sets on its request to the hub (the binding is not reachable from the internet). */
const H = { user: "x-live-user", subject: "x-live-subject", expires: "x-live-expires", kind: "x-live-kind" };

/** The Worker's word on who opens a socket: identity from the verified token (or its own stream), never a client. */
export function subscriberHeaders(attachment: SocketAttachment): Record<string, string> {
  return {
    [H.user]: attachment.state.userId,
    [H.subject]: attachment.state.clerkUserId,
    [H.expires]: String(attachment.state.tokenExpiresAt),
    [H.kind]: attachment.kind,
  };
}

/** The attachment the Worker asked for, or undefined when the request did not come from it whole. */
export function attachmentFromHeaders(headers: Headers): SocketAttachment | undefined {
  const userId = headers.get(H.user) ?? "";
  const clerkUserId = headers.get(H.subject) ?? "";
  const expires = headers.get(H.expires) ?? "";
  const tokenExpiresAt = /^[0-9]{1,16}$/.test(expires) ? Number(expires) : Number.NaN;
  const kind = headers.get(H.kind);
  if (!userId || !clerkUserId || !Number.isSafeInteger(tokenExpiresAt)) return undefined;
  if (kind !== "spa" && kind !== "sse") return undefined;
  // The Worker's own subscriber never renews: renewConnectionToken refuses internal states.
  return {
    kind,
    state: { userId, clerkUserId, tokenExpiresAt, ...(kind === "sse" ? { internal: true } : {}) },
  };
}

/** An attachment as stored, or undefined for anything else (a socket accepted by an older version, say). */
export function readAttachment(value: unknown): SocketAttachment | undefined {
  const { kind, state } = (value ?? {}) as Partial<SocketAttachment>;
  if ((kind !== "spa" && kind !== "sse") || !state || typeof state.userId !== "string") return undefined;
  return Number.isFinite(state.tokenExpiresAt) ? { kind, state } : undefined;
}

export interface Sweep<S> {
  /** Sockets an event may reach now. */
  live: S[];
  /** Sockets to close with the token-expired reason (no attachment counts as expired: nobody vouched for it). */
  expired: S[];
  /** When the alarm must next close one (ms since the epoch), or undefined when none will expire. */
  nextAlarm: number | undefined;
}

/** Splits the hub's sockets by their tokens' expiry at `now`. */
export function sweep<S>(sockets: Iterable<S>, attachmentOf: (socket: S) => unknown, now: number): Sweep<S> {
  const conns = [...sockets].map((socket) => ({
    socket,
    state: readAttachment(attachmentOf(socket))?.state,
  }));
  const { live, expired } = partitionByExpiry(conns, now);
  return {
    live: live.map((conn) => conn.socket),
    expired: expired.map((conn) => conn.socket),
    nextAlarm: nextExpiry(live, now),
  };
}

/** One published broadcast: the growAgent's event name and payload. */
export interface Broadcast {
  name: string;
  data: unknown;
}

/** The frames a batch becomes: one per broadcast, in order, each serialised once for every socket. */
export const framesOf = (batch: readonly Broadcast[]): string[] =>
  batch.map(({ name, data }) =>
    JSON.stringify({ type: "broadcast", name, data } satisfies LiveServerMessage),
  );

/** Whether the alarm must be moved: none set, or the new expiry comes first. */
export const alarmNeeded = (current: number | null, next: number | undefined): next is number =>
  next !== undefined && (current === null || next < current);
