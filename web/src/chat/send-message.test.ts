import { beforeEach, describe, expect, it, vi } from "vitest";
import type { GrowAgentActions } from "../../../contract/actions";
import type { AgentConnection, LiveStatus } from "../live/agent-connection";
import { sendFailure, sendMessage } from "./send-message";

const post = vi.fn();

vi.mock("../api/client", () => {
  class ApiError extends Error {
    constructor(
      message: string,
      readonly code: string,
      readonly status: number,
    ) {
      super(message);
    }
  }
  return {
    ApiError,
    api: { POST: (...args: unknown[]) => post(...args) },
    unwrap: (result: { data?: unknown; error?: { error: { code: string; message: string } } }) => {
      if (result.error) throw new ApiError(result.error.error.message, result.error.error.code, 400);
      return result.data;
    },
    errorMessage: (error: unknown) => (error instanceof Error ? error.message : "Something went wrong"),
  };
});

/** RivetKit's client error for an action the actor refused with a UserError. */
class ActorError extends Error {
  constructor(
    readonly group: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const stored = { messageId: "m1", queued: false, replayed: false };

function connection(status: LiveStatus, answer: () => Promise<unknown>) {
  const call = vi.fn((_name: keyof GrowAgentActions, ..._args: unknown[]) => answer());
  return { status: () => status, call: call as unknown as AgentConnection["call"], calls: call };
}

beforeEach(() => {
  post.mockReset();
  post.mockResolvedValue({ data: { ...stored, replayed: true } });
});

describe("sendMessage", () => {
  it("sends on the live connection while it is open, with the message's key", async () => {
    const live = connection("live", async () => stored);
    expect(await sendMessage(live, "t1", "hi", "key-1")).toEqual(stored);
    expect(live.calls).toHaveBeenCalledWith("sendMessage", "t1", "hi", { idempotencyKey: "key-1" });
    expect(post).not.toHaveBeenCalled();
  });

  it("sends over REST, with the same key, while the connection is not open", async () => {
    const down = connection("reconnecting", async () => stored);
    await sendMessage(down, "t1", "hi", "key-1");
    expect(down.calls).not.toHaveBeenCalled();
    expect(post).toHaveBeenCalledWith("/threads/{id}/messages", {
      params: { path: { id: "t1" }, header: { "idempotency-key": "key-1" } },
      body: { text: "hi" },
    });
  });

  it("sends again over REST with the same key when the connection fails under the call", async () => {
    const dropped = connection("live", async () => {
      throw new Error("Connection lost (code: 1006, reason: )");
    });
    expect(await sendMessage(dropped, "t1", "hi", "key-1")).toMatchObject({ replayed: true });
    expect(post.mock.calls[0]?.[1]).toMatchObject({ params: { header: { "idempotency-key": "key-1" } } });
  });

  it("sends again over REST when the live call goes unanswered", async () => {
    const stuck = connection("live", () => new Promise(() => {}));
    await sendMessage(stuck, "t1", "hi", "key-1", { liveTimeoutMs: 5 });
    expect(post).toHaveBeenCalledTimes(1);
  });

  it("shows the actor's refusal with its code, and does not send it again", async () => {
    for (const code of ["allowance_exceeded", "message_too_long", "thread_not_found", "unavailable"]) {
      const refused = connection("live", async () => {
        throw new ActorError("user", code, `refused: ${code}`);
      });
      const failure = await sendMessage(refused, "t1", "hi", "key-1").catch((error: unknown) => error);
      expect(sendFailure(failure)).toEqual({ message: `refused: ${code}`, code });
    }
    expect(post).not.toHaveBeenCalled();
  });

  it("shows REST's refusal with its code", async () => {
    post.mockResolvedValue({ error: { error: { code: "message_too_long", message: "Too long" } } });
    const down = connection("connecting", async () => stored);
    const failure = await sendMessage(down, "t1", "hi", "key-1").catch((error: unknown) => error);
    expect(sendFailure(failure)).toEqual({ message: "Too long", code: "message_too_long" });
  });
});
