import { describe, expect, it, vi } from "vitest";
import { ACTOR_ID_HEADER } from "./actor-rpc";
import { forwardToActor, withRivetCors } from "./gateway-forward";

const ACTOR = `${"a".repeat(64)}:0`;

function fakeStub(answer: (request: Request) => Promise<Response>) {
  const seen: Request[] = [];
  return {
    seen,
    fetch: async (request: Request) => {
      seen.push(request);
      return answer(request);
    },
  };
}

describe("forwardToActor", () => {
  it("sends the client's request to the actor with the resolved id, and RivetKit's CORS headers back", async () => {
    const stub = fakeStub(async () => new Response("out", { status: 201, headers: { "x-actor": "1" } }));
    const request = new Request("https://app.test/api/rivet/gateway/x/action/echo?q=1", {
      headers: { authorization: "Bearer t", origin: "https://web.test", [ACTOR_ID_HEADER]: "forged" },
    });
    const response = await forwardToActor(stub, request, ACTOR, "http://actor/action/echo?q=1");

    const [sent] = stub.seen;
    expect(sent?.url).toBe("http://actor/action/echo?q=1");
    expect(sent?.method).toBe("GET");
    expect(sent?.headers.get("authorization")).toBe("Bearer t");
    expect(sent?.headers.get(ACTOR_ID_HEADER)).toBe(ACTOR);
    expect(response.status).toBe(201);
    expect(await response.text()).toBe("out");
    expect(response.headers.get("x-actor")).toBe("1");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://web.test");
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("vary")).toBe("Origin");
  });

  it("answers RivetKit's internal error when the actor's object cannot be reached", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const stub = fakeStub(async () => {
      throw new Error("object reset");
    });
    const response = await forwardToActor(stub, new Request("https://app.test/x"), ACTOR, "http://actor/x");
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ group: "rivetkit", code: "internal_error" });
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    warn.mockRestore();
  });
});

describe("withRivetCors", () => {
  it("allows any origin without Vary when the caller sent none", () => {
    const response = withRivetCors(new Response(null, { status: 204 }), null);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toBe("*");
    expect(response.headers.has("vary")).toBe(false);
  });
});
