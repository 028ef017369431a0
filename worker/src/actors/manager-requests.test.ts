import { describe, expect, it } from "vitest";
import {
  forwardedActionHeaders,
  forwardedActorRequest,
  offerProtocols,
  parseActionEncoding,
  parseActorRequest,
} from "./manager-requests";
import { CONN_PARAMS_HEADER, parseWebSocketOffer } from "./manager-routes";

const alice = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b";
const bytes = (text: string) => new TextEncoder().encode(text);
const refused = (text: string) => {
  const parsed = parseActorRequest(bytes(text));
  return parsed.ok ? undefined : parsed.refusal;
};

describe("parseActorRequest", () => {
  it("reads the name, key and a non-empty input of RivetKit's JSON body", () => {
    expect(parseActorRequest(bytes(JSON.stringify({ name: "growAgent", key: alice, extra: 1 })))).toEqual({
      ok: true,
      value: { name: "growAgent", key: alice },
    });
    expect(
      parseActorRequest(bytes(JSON.stringify({ name: "growAgent", key: alice, input: "oQ==" }))),
    ).toEqual({
      ok: true,
      value: { name: "growAgent", key: alice, input: "oQ==" },
    });
    // An empty or null input is no input.
    for (const input of ["", null]) {
      const parsed = parseActorRequest(bytes(JSON.stringify({ name: "growAgent", key: alice, input })));
      expect(parsed).toEqual({ ok: true, value: { name: "growAgent", key: alice } });
    }
  });

  it("refuses anything else as invalid_request", () => {
    const cases = {
      "not json": "The body is not JSON",
      "[1]": "The body must be a JSON object",
      null: "The body must be a JSON object",
      '{"name":"growAgent","key":["a"]}': "name and key must be strings",
      '{"name":1,"key":"a"}': "name and key must be strings",
      '{"name":"growAgent","key":"a","input":{}}': "input must be a string",
    };
    for (const [body, message] of Object.entries(cases)) {
      expect(refused(body)).toEqual({ status: 400, group: "user", code: "invalid_request", message });
    }
    // Not UTF-8.
    const invalidUtf8 = parseActorRequest(new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(invalidUtf8.ok).toBe(false);
  });
});

describe("what the guard forwards", () => {
  it("rebuilds an actor request from the checked fields only", () => {
    expect(JSON.parse(forwardedActorRequest({ name: "growAgent", key: alice }))).toEqual({
      name: "growAgent",
      key: alice,
      runner_name_selector: "default",
      crash_policy: "sleep",
    });
    expect(JSON.parse(forwardedActorRequest({ name: "subAgent", key: alice, input: "oQ==" })).input).toBe(
      "oQ==",
    );
  });

  it("passes an action's content type, encoding and params, nothing else", () => {
    const headers = forwardedActionHeaders({
      contentType: "application/json",
      encoding: "cbor",
      params: "{}",
    });
    expect([...headers.entries()].sort()).toEqual(
      [
        ["content-type", "application/json"],
        ["x-rivet-encoding", "cbor"],
        [CONN_PARAMS_HEADER.toLowerCase(), "{}"],
      ].sort(),
    );
    const none = forwardedActionHeaders({ contentType: undefined, encoding: undefined, params: undefined });
    expect([...none.keys()]).toEqual([]);
  });

  it("takes an absent encoding (RivetKit's json) or a known one", () => {
    expect(parseActionEncoding(undefined)).toEqual({ ok: true, value: undefined });
    for (const encoding of ["json", "cbor", "bare"])
      expect(parseActionEncoding(encoding)).toEqual({ ok: true, value: encoding });
    expect(parseActionEncoding("xml")).toMatchObject({
      ok: false,
      refusal: { status: 400, code: "invalid_encoding" },
    });
  });

  it("rebuilds a WebSocket offer that parses back to the same offer", () => {
    const params = { token: "t.o.k", note: "a, b" };
    const offer = { encoding: "cbor" as const, credential: { kind: "none" as const }, params };
    const protocols = offerProtocols(offer);
    expect(protocols.slice(0, 2)).toEqual(["rivet", "rivet_encoding.cbor"]);
    const parsed = parseWebSocketOffer(protocols.join(", "));
    expect(parsed?.encoding).toBe("cbor");
    expect(parsed?.params).toEqual(params);
    expect(offerProtocols({ encoding: "json", credential: { kind: "none" }, params: undefined })).toEqual([
      "rivet",
      "rivet_encoding.json",
    ]);
  });
});
