import { describe, expect, it } from "vitest";
import { buildActorId } from "./actor-id";
import { parseGatewayPath } from "./gateway-path";

const ACTOR = buildActorId("a".repeat(64), 3);
const ENCODED = encodeURIComponent(ACTOR);

describe("parseGatewayPath", () => {
  it("finds the actor id and the path its router sees", () => {
    expect(parseGatewayPath(`/gateway/${ENCODED}/action/echo`)).toEqual({
      actorId: ACTOR,
      actorPath: "/action/echo",
    });
    expect(parseGatewayPath(`/gateway/${ACTOR}/request/a/b`)).toEqual({
      actorId: ACTOR,
      actorPath: "/request/a/b",
    });
  });

  it("gives the actor `/` when nothing follows the id, as RivetKit's parseActorPath does", () => {
    expect(parseGatewayPath(`/gateway/${ENCODED}`)).toEqual({ actorId: ACTOR, actorPath: "/" });
    expect(parseGatewayPath(`/gateway/${ENCODED}/`)).toEqual({ actorId: ACTOR, actorPath: "/" });
  });

  it("leaves everything else to RivetKit's router", () => {
    for (const path of [
      "/actors",
      "/gateway",
      "/gateway/",
      `/gateway/${ENCODED}@token/action/echo`,
      `/gateway/${ENCODED}//action`,
      "/gateway/not-an-id/action/echo",
      `/gateway/${"A".repeat(64)}%3A0/action/echo`,
      "/gateway/%E0%A4%A/action/echo",
      `/other/${ENCODED}/action/echo`,
    ]) {
      expect(parseGatewayPath(path), path).toBeUndefined();
    }
  });
});
