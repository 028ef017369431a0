import { describe, expect, it } from "vitest";
import { createModelClock } from "./model-time";

const event = (requestId: string, type: string, at: number, userId = "u1") => ({
  requestId,
  type,
  at,
  userId,
});

describe("the model's own time per turn", () => {
  it("sums the user's requests inside the turn and nothing else", () => {
    const clock = createModelClock();
    // Two model calls of u1's turn (a tool step between them), one of u2's at the same time.
    clock.onEvent(event("r1", "message_start", 1_010));
    clock.onEvent(event("r1", "content_block_delta", 1_100));
    clock.onEvent(event("r1", "message_stop", 1_300));
    clock.onEvent(event("r2", "message_start", 1_000, "u2"));
    clock.onEvent(event("r2", "message_stop", 1_900, "u2"));
    clock.onEvent(event("r3", "message_start", 1_350));
    clock.onEvent(event("r3", "message_stop", 1_450));
    // u1's next turn.
    clock.onEvent(event("r4", "message_start", 2_100));
    clock.onEvent(event("r4", "message_stop", 2_500));

    expect(clock.modelMs("u1", 1_000, 1_500)).toBe(390);
    expect(clock.modelMs("u2", 1_000, 2_000)).toBe(900);
    expect(clock.modelMs("u1", 2_000, 3_000)).toBe(400);
  });

  it("counts a stream the client abandoned up to the moment it went away, and ignores calls without a user", () => {
    const clock = createModelClock();
    clock.onEvent(event("r1", "message_start", 0));
    clock.onEvent(event("r1", "client_closed", 250));
    clock.onEvent({ requestId: "r2", type: "message_start", at: 0 });
    clock.onEvent({ requestId: "r2", type: "message_stop", at: 900 });
    expect(clock.modelMs("u1", 0, 1_000)).toBe(250);
  });
});
