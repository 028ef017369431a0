import { describe, expect, it } from "vitest";
import { repoRoot } from "../../dev/stack";
import { doEntryPoints, durableObjectMethods } from "./do-requests";

describe("Durable Object entry points for the load run's request count", () => {
  it("finds every Durable Object class of the main Worker and its methods, not its helpers", async () => {
    const found = await doEntryPoints(repoRoot);
    expect([...(found.get("worker/src/billing/usage-reports.do.ts")?.keys() ?? [])]).toEqual([
      "poke",
      "alarm",
    ]);
    expect([...(found.get("worker/src/rivet/actor-durable-object.ts")?.keys() ?? [])]).toEqual([
      "create",
      "describe",
      "managerKvGet",
      "fetch",
      "alarm",
    ]);
  });

  it("reads a wrapped class header and stops at the class's end", () => {
    const source = [
      "function helper() {}",
      "export function make() {",
      "  return class Hub",
      "    extends DurableObject<Env>",
      "  {",
      "    async fetch(request: Request) {",
      "      if (x) inner();",
      "    }",
      "    #secret() {}",
      "    webSocketMessage(ws: WebSocket) {}",
      "  };",
      "}",
      "class Plain {",
      "  notADurableObject() {}",
      "}",
    ].join("\n");
    expect(durableObjectMethods(source)).toEqual(
      new Map([
        ["fetch", 6],
        ["webSocketMessage", 10],
      ]),
    );
  });
});
