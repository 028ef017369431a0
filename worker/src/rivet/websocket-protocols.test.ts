import { describe, expect, it } from "vitest";
import { actorWebSocketProtocols, selectWebSocketProtocol } from "./websocket-protocols";

describe("actorWebSocketProtocols", () => {
  it("carries actor id, encoding and URL-encoded params", () => {
    expect(actorWebSocketProtocols("abc:1", "cbor", { token: "a b,c" })).toEqual([
      "rivet",
      "rivet_target.actor",
      "rivet_actor.abc%3A1",
      "rivet_encoding.cbor",
      "rivet_conn_params.%7B%22token%22%3A%22a%20b%2Cc%22%7D",
    ]);
  });

  it("leaves params out when there are none", () => {
    expect(actorWebSocketProtocols("abc:0", "json", undefined)).toHaveLength(4);
  });
});

describe("selectWebSocketProtocol", () => {
  it("prefers rivet, else echoes the first offered, else none", () => {
    expect(selectWebSocketProtocol("rivet_encoding.json, rivet")).toBe("rivet");
    expect(selectWebSocketProtocol("chat, other")).toBe("chat");
    expect(selectWebSocketProtocol("")).toBeUndefined();
    expect(selectWebSocketProtocol(null)).toBeUndefined();
  });
});
