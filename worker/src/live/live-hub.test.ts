import { describe, expect, it } from "vitest";
import { liveProtocols, tokenFromProtocols } from "../../../contract/live";
import {
  alarmNeeded,
  attachmentFromHeaders,
  framesOf,
  readAttachment,
  type SocketAttachment,
  subscriberHeaders,
  sweep,
} from "./live-hub";

const spa: SocketAttachment = {
  kind: "spa",
  state: { userId: "u1", clerkUserId: "user_1", tokenExpiresAt: 2_000 },
};

describe("live hub decisions", () => {
  it("carries the Worker's word on a socket through headers, whole or not at all", () => {
    expect(attachmentFromHeaders(new Headers(subscriberHeaders(spa)))).toEqual(spa);
    const sse = attachmentFromHeaders(new Headers(subscriberHeaders({ ...spa, kind: "sse" })));
    // The Worker's own subscriber is internal: it never renews.
    expect(sse?.state.internal).toBe(true);
    const headers = subscriberHeaders(spa);
    for (const name of Object.keys(headers)) {
      const partial = new Headers(headers);
      partial.delete(name);
      expect(attachmentFromHeaders(partial), name).toBeUndefined();
    }
    expect(attachmentFromHeaders(new Headers({ ...headers, "x-live-kind": "admin" }))).toBeUndefined();
    expect(attachmentFromHeaders(new Headers({ ...headers, "x-live-expires": "soon" }))).toBeUndefined();
  });

  it("splits sockets by expiry: expired and unknown ones are closed, the alarm is for the earliest live one", () => {
    const sockets = [
      { id: "a", att: spa },
      { id: "b", att: { ...spa, state: { ...spa.state, tokenExpiresAt: 1_000 } } },
      { id: "c", att: { ...spa, state: { ...spa.state, tokenExpiresAt: 5_000 } } },
      { id: "d", att: null },
    ];
    const result = sweep(sockets, (s) => s.att, 1_000);
    expect(result.live.map((s) => s.id)).toEqual(["a", "c"]);
    expect(result.expired.map((s) => s.id)).toEqual(["b", "d"]);
    expect(result.nextAlarm).toBe(2_000);
    expect(sweep(sockets, (s) => s.att, 10_000).nextAlarm).toBeUndefined();
  });

  it("reads back only attachments it wrote", () => {
    expect(readAttachment(spa)).toEqual(spa);
    expect(readAttachment(undefined)).toBeUndefined();
    expect(readAttachment({ kind: "spa" })).toBeUndefined();
    expect(readAttachment({ ...spa, state: { ...spa.state, tokenExpiresAt: "later" } })).toBeUndefined();
  });

  it("moves the alarm only earlier", () => {
    expect(alarmNeeded(null, 5)).toBe(true);
    expect(alarmNeeded(10, 5)).toBe(true);
    expect(alarmNeeded(3, 5)).toBe(false);
    expect(alarmNeeded(null, undefined)).toBe(false);
  });

  it("sends each broadcast as one frame, in order", () => {
    expect(
      framesOf([
        { name: "event", data: { seq: 1 } },
        { name: "pong", data: "x" },
      ]).map((f) => JSON.parse(f)),
    ).toEqual([
      { type: "broadcast", name: "event", data: { seq: 1 } },
      { type: "broadcast", name: "pong", data: "x" },
    ]);
  });

  it("finds the token among the offered sub-protocols", () => {
    expect(tokenFromProtocols(liveProtocols("a.b.c").join(", "))).toBe("a.b.c");
    expect(tokenFromProtocols("growqr.live.v1")).toBeUndefined();
    expect(tokenFromProtocols(undefined)).toBeUndefined();
  });
});
