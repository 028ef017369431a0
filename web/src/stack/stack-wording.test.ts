import { describe, expect, it } from "vitest";
import { stackStatusWords, wakeProgress } from "./stack-wording";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const event = (seq: number, type: string, s: number, data: Record<string, string> = {}) =>
  ({ seq, type, at: at(s), data }) as Parameters<typeof wakeProgress>[0][number];

describe("stack wording", () => {
  it("says each status in words", () => {
    expect(stackStatusWords("none")).toMatch(/^Not set up yet/);
    expect(stackStatusWords("ready")).toBe("Running");
    expect(stackStatusWords("suspended")).toMatch(/^Asleep/);
  });

  it("follows a cold wake stage by stage with the elapsed seconds", () => {
    const events = [event(1, "stack.creating", 0), event(2, "stack.starting", 3)];
    expect(wakeProgress(events, Date.parse(at(5)))).toMatchObject({
      stages: [
        { label: "Creating machines", at: 0 },
        { label: "Starting", at: 3 },
        { label: "Health checks", at: null },
        { label: "Ready", at: null },
      ],
      current: "Starting",
      elapsed: 5,
      failed: null,
      startedAt: Date.parse(at(0)),
    });
    const done = [...events, event(3, "stack.health_ok", 6), event(4, "stack.ready", 7)];
    expect(wakeProgress(done, Date.parse(at(30)))).toMatchObject({ current: null, elapsed: 7 });
  });

  it("takes the latest wake, without a creating stage when the machines existed", () => {
    const events = [
      event(1, "stack.creating", 0),
      event(2, "stack.ready", 7),
      event(3, "stack.suspended", 100),
      event(4, "stack.starting", 200),
      event(5, "stack.failed", 204, { reason: "out of capacity" }),
    ];
    expect(wakeProgress(events, Date.parse(at(300)))).toEqual({
      startedAt: Date.parse(at(200)),
      stages: [
        { label: "Starting", at: 0 },
        { label: "Health checks", at: null },
        { label: "Ready", at: null },
      ],
      current: null,
      elapsed: 4,
      failed: "out of capacity",
    });
    expect(wakeProgress([event(1, "stack.suspended", 0)], 0)).toBeNull();
  });
});
