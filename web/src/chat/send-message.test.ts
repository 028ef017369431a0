import { beforeEach, describe, expect, it, vi } from "vitest";
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

const stored = { messageId: "m1", queued: false, replayed: false };

beforeEach(() => {
  post.mockReset();
  post.mockResolvedValue({ data: stored });
});

describe("sendMessage", () => {
  it("sends over REST with the message's idempotency key", async () => {
    expect(await sendMessage("t1", "hi", "key-1")).toEqual(stored);
    expect(post).toHaveBeenCalledWith("/threads/{id}/messages", {
      params: { path: { id: "t1" }, header: { "idempotency-key": "key-1" } },
      body: { text: "hi" },
    });
  });

  it("shows REST's refusal with its code", async () => {
    post.mockResolvedValue({ error: { error: { code: "message_too_long", message: "Too long" } } });
    const failure = await sendMessage("t1", "hi", "key-1").catch((error: unknown) => error);
    expect(sendFailure(failure)).toEqual({ message: "Too long", code: "message_too_long" });
  });

  it("shows a failure without a code readably", () => {
    expect(sendFailure(new Error("Failed to fetch"))).toEqual({
      message: "Failed to fetch",
      code: undefined,
    });
  });
});
