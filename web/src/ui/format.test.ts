import { describe, expect, it } from "vitest";
import { formatDuration, formatMessageTime, formatUsd, percentUsed } from "./format";

describe("format", () => {
  it("durations", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(450)).toBe("450 ms");
    expect(formatDuration(1_234)).toBe("1.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(95_000)).toBe("1 min 35 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(3_900_000)).toBe("1 h 5 min");
  });

  it("money", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(12.5)).toBe("$12.50");
    expect(formatUsd(undefined)).toBe("—");
  });

  it("usage share", () => {
    expect(percentUsed(50, 200)).toBe(25);
    expect(percentUsed(300, 200)).toBe(100);
    expect(percentUsed(0, 0)).toBe(0);
  });
});

describe("formatMessageTime", () => {
  const now = new Date(2026, 6, 3, 18, 0);
  it("shows the time today, the day before that, and the year only for other years", () => {
    const today = formatMessageTime(new Date(2026, 6, 3, 14, 5).toISOString(), now);
    expect(today).toMatch(/14.05|2.05/);
    expect(today).not.toMatch(/Jul/);
    expect(formatMessageTime(new Date(2026, 6, 1, 9, 0).toISOString(), now)).toMatch(/Jul/);
    expect(formatMessageTime(new Date(2026, 6, 1, 9, 0).toISOString(), now)).not.toMatch(/2026/);
    expect(formatMessageTime(new Date(2025, 0, 2, 9, 0).toISOString(), now)).toMatch(/2025/);
    expect(formatMessageTime("not a date", now)).toBe("");
  });
});
