import { describe, expect, it } from "vitest";
import { runJson } from "./run-history";
import type { RunHistoryRow } from "./schedule-runs.repository";

const row = (over: Partial<RunHistoryRow>): RunHistoryRow => ({
  id: "r1",
  slot_at: "2026-12-07T07:00:00Z",
  status: "sent",
  thread_id: "t1",
  message_id: "m1",
  error_code: null,
  error_message: null,
  started_at: "2026-12-07T07:00:01Z",
  finished_at: null,
  end_type: null,
  end_at: null,
  end_code: null,
  end_message: null,
  tokens: null,
  ...over,
});

describe("runJson", () => {
  it("a sent run runs until its turn ends", () => {
    expect(runJson(row({}))).toMatchObject({ status: "running", finishedAt: null, tokens: null });
  });
  it("succeeds with the turn's completion and its tokens", () => {
    expect(
      runJson(row({ end_type: "turn.completed", end_at: "2026-12-07T07:00:09Z", tokens: "981" })),
    ).toMatchObject({
      status: "succeeded",
      errorCode: null,
      finishedAt: "2026-12-07T07:00:09.000Z",
      tokens: 981,
    });
  });
  it("fails with the turn's reason, or how it ended", () => {
    expect(
      runJson(row({ end_type: "turn.failed", end_code: "model_overloaded", end_message: "busy" })),
    ).toMatchObject({
      status: "failed",
      errorCode: "model_overloaded",
      errorMessage: "busy",
    });
    expect(runJson(row({ end_type: "turn.interrupted" }))).toMatchObject({
      status: "failed",
      errorCode: "interrupted",
    });
  });
  it("a refused run keeps its own code", () => {
    expect(
      runJson(
        row({
          status: "failed",
          message_id: null,
          error_code: "allowance_exceeded",
          error_message: "used up",
          finished_at: "2026-12-07T07:00:01Z",
        }),
      ),
    ).toMatchObject({
      status: "failed",
      errorCode: "allowance_exceeded",
      finishedAt: "2026-12-07T07:00:01.000Z",
    });
  });
});
