import { describe, expect, it } from "vitest";
import type { StoredEvent } from "./event-pipeline";
import { knownLocally } from "./restart-recovery";

const event = (type: string, data: object): StoredEvent => ({
  threadId: "t",
  seq: 1,
  type,
  data,
  at: new Date(0),
});

describe("knownLocally", () => {
  it("counts turns that run here or ended in the outbox, and messages whose turn started or failed there", () => {
    const pending = new Map([
      [
        "t",
        [
          event("turn.started", { turnId: "a", messageId: "m1" }),
          event("turn.completed", { turnId: "a" }),
          event("turn.failed", { turnId: "b", messageId: "m2" }),
          event("text.delta", { turnId: "c", text: "x" }),
        ],
      ],
    ]);
    const known = knownLocally(pending, ["r"]);
    expect([...known.turns].sort()).toEqual(["a", "b", "r"]);
    expect([...known.messages].sort()).toEqual(["m1", "m2"]);
  });
});
