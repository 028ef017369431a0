import { describe, expect, it } from "vitest";
import { type Actor, actorStatusLabel, isWorking, ordered, taskStatusLabel } from "./actor-status";

const actor = (over: Partial<Actor>): Actor => ({
  id: "00000000-0000-7000-8000-000000000000",
  type: "subAgent",
  key: [],
  rivetActorId: null,
  status: "active",
  generation: 0,
  createdAt: "2026-12-05T20:00:00.000Z",
  lastActiveAt: "2026-12-05T20:00:00.000Z",
  subAgent: null,
  ...over,
});
const task = (status: NonNullable<Actor["subAgent"]>["status"]) => ({
  id: "00000000-0000-7000-8000-000000000001",
  threadId: null,
  task: "t",
  status,
});

describe("actor status", () => {
  it("puts the Grow Agent first, keeping the server's order of sub-agents", () => {
    const [a, b, g] = [actor({ id: "a" }), actor({ id: "b" }), actor({ id: "g", type: "growAgent" })];
    expect(ordered([a, g, b]).map((x) => x.id)).toEqual(["g", "a", "b"]);
  });

  it("counts a sub-agent as working while its task runs and its actor is not stopped", () => {
    expect(isWorking(actor({ subAgent: task("running") }))).toBe(true);
    expect(isWorking(actor({ subAgent: task("running"), status: "destroyed" }))).toBe(false);
    expect(isWorking(actor({ subAgent: task("completed") }))).toBe(false);
    expect(isWorking(actor({ type: "growAgent" }))).toBe(false);
  });

  it("says statuses in words", () => {
    expect(actorStatusLabel("destroyed")).toBe("Stopped");
    expect(actorStatusLabel("sleeping")).toBe("Sleeping");
    expect(taskStatusLabel("idle")).toBe("finishing");
  });
});
