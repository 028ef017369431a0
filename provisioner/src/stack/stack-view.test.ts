import { describe, expect, it } from "vitest";
import { emptyRecord, type StackEvent, type StackRecord } from "./stack-record";
import { appendEvent, MAX_EVENTS, stackView } from "./stack-view";

const event = (seq: number): StackEvent => ({
  seq,
  type: "stack.starting",
  at: "2026-01-01T00:00:00.000Z",
  data: {},
});

describe("appendEvent", () => {
  it("keeps the newest events, oldest first", () => {
    let events: StackEvent[] = [];
    for (let seq = 1; seq <= MAX_EVENTS + 5; seq++) events = appendEvent(events, event(seq));
    expect(events).toHaveLength(MAX_EVENTS);
    expect(events[0]?.seq).toBe(6);
    expect(events.at(-1)?.seq).toBe(MAX_EVENTS + 5);
  });
});

describe("stackView", () => {
  const record: StackRecord = {
    ...emptyRecord("user-1", "growqr-runtime", "iad", 0),
    status: "failed",
    lastError: "health timed out",
    resources: { opencode: { machineId: "m1", volumeId: "v1" } },
    secrets: { opencodePassword: "sealed", giteaAdminPassword: "sealed", gatewayKey: "sealed" },
    lastActiveAt: 1_000,
    updatedAt: 2_000,
  };
  const events = [event(1), event(2), event(3)];

  it("shows status, machines and the events after `after`, never the secrets", () => {
    const view = stackView(record, events, { edgeUrl: "https://edge", lastSeq: 3, after: 1 });
    expect(view).toEqual({
      status: "failed",
      app: "growqr-runtime",
      region: "iad",
      machines: { opencode: { machineId: "m1", volumeId: "v1" } },
      up: [],
      edgeUrl: "https://edge",
      lastError: "health timed out",
      lastActiveAt: "1970-01-01T00:00:01.000Z",
      updatedAt: "1970-01-01T00:00:02.000Z",
      events: [event(2), event(3)],
      lastSeq: 3,
    });
    expect(JSON.stringify(view)).not.toContain("sealed");
  });

  it("copies the resources, so a view does not change with the record", () => {
    const view = stackView(record, [], { edgeUrl: "https://edge", lastSeq: 0, after: 0 });
    expect(view.machines.opencode).not.toBe(record.resources.opencode);
    expect(view.lastError).toBe("health timed out");
    expect(
      stackView({ ...record, lastError: undefined }, [], { edgeUrl: "", lastSeq: 0, after: 0 }).lastError,
    ).toBe(null);
  });
});
