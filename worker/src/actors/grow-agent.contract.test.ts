import type { ActorConn, ExtractActorsFromRegistry } from "rivetkit/client";
import { describe, expectTypeOf, it } from "vitest";
import type { GrowAgentActionName, GrowAgentActions } from "../../../contract/actions";
import type { Registry } from "./registry";

/**
 * The SPA calls growAgent through contract/actions.ts, not through the actor's types: these checks (run by `tsc`,
 * `npm run check`) fail to compile when an action of the actor no longer takes what the contract sends or answers
 * what it promises.
 */
type Actor = ActorConn<ExtractActorsFromRegistry<Registry>["growAgent"]>;

/** What the actor's action resolves to (RivetKit wraps the handler's own promise once more). */
type Answer<K extends GrowAgentActionName> = Awaited<ReturnType<Actor[K]>>;
type Promised<K extends GrowAgentActionName> = Awaited<ReturnType<GrowAgentActions[K]>>;

describe("growAgent matches contract/actions.ts", () => {
  it("answers what the contract promises", () => {
    expectTypeOf<Answer<"sendMessage">>().toExtend<Promised<"sendMessage">>();
    expectTypeOf<Answer<"regenerate">>().toExtend<Promised<"regenerate">>();
    expectTypeOf<Answer<"cancel">>().toExtend<Promised<"cancel">>();
    expectTypeOf<Answer<"threadStatus">>().toExtend<Promised<"threadStatus">>();
    expectTypeOf<Answer<"model">>().toExtend<Promised<"model">>();
    expectTypeOf<Answer<"renewToken">>().toExtend<Promised<"renewToken">>();
  });

  it("takes the arguments the contract sends", () => {
    expectTypeOf<Parameters<GrowAgentActions["sendMessage"]>>().toExtend<Parameters<Actor["sendMessage"]>>();
    expectTypeOf<Parameters<GrowAgentActions["regenerate"]>>().toExtend<Parameters<Actor["regenerate"]>>();
    expectTypeOf<Parameters<GrowAgentActions["cancel"]>>().toExtend<Parameters<Actor["cancel"]>>();
    expectTypeOf<Parameters<GrowAgentActions["threadStatus"]>>().toExtend<
      Parameters<Actor["threadStatus"]>
    >();
    expectTypeOf<Parameters<GrowAgentActions["model"]>>().toExtend<Parameters<Actor["model"]>>();
    expectTypeOf<Parameters<GrowAgentActions["renewToken"]>>().toExtend<Parameters<Actor["renewToken"]>>();
  });

  it("names only actions the actor has", () => {
    expectTypeOf<GrowAgentActionName>().toExtend<keyof Actor>();
  });
});
