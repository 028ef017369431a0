import { describe, expect, it } from "vitest";
import {
  checkTiming,
  decideDue,
  nextSlot,
  type ScheduleTiming,
  slotKey,
  slotsWithin,
  upcomingSlots,
} from "./schedule-plan";

const at = (iso: string) => new Date(iso);
const cron = (expr: string, timeZone: string): ScheduleTiming => ({ kind: "cron", cron: expr, timeZone });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("checkTiming", () => {
  const now = at("2026-12-05T12:00:00Z");
  it.each([
    ["not cron", "cron"],
    ["* * * * * *", "cron"],
    ["61 * * * *", "cron"],
    ["0 8 31 2 *", "cron"],
    [`${"1,".repeat(80)}1 * * * *`, "cron"],
  ])("refuses %s", (expr, field) => {
    expect(checkTiming(cron(expr, "UTC"), now)?.field).toBe(field);
  });
  it.each(["Mars/Base", "", "America/New_York/x", "x".repeat(100), "+01:00", " Europe/Berlin"])(
    "refuses the zone %j",
    (zone) => {
      expect(checkTiming(cron("0 8 * * 1-5", zone), now)?.field).toBe("timeZone");
    },
  );
  it("refuses a one-off in the past or now", () => {
    expect(checkTiming({ kind: "once", runAt: now, timeZone: "UTC" }, now)?.field).toBe("runAt");
    expect(checkTiming({ kind: "once", runAt: at("garbage"), timeZone: "UTC" }, now)?.field).toBe("runAt");
  });
  it("accepts a weekday cron in a zone and a future one-off", () => {
    expect(checkTiming(cron("0 8 * * 1-5", "Europe/Berlin"), now)).toBeUndefined();
    expect(
      checkTiming({ kind: "once", runAt: at("2026-12-05T12:00:01Z"), timeZone: "UTC" }, now),
    ).toBeUndefined();
  });
});

describe("nextSlot", () => {
  it("runs every weekday at 8:00 in the zone's wall clock", () => {
    // Friday noon in Berlin: next is Monday 08:00 CET (07:00 UTC).
    expect(iso(upcomingSlots(cron("0 8 * * 1-5", "Europe/Berlin"), at("2026-12-04T12:00:00Z"), 3))).toEqual([
      "2026-12-07T07:00:00.000Z",
      "2026-12-08T07:00:00.000Z",
      "2026-12-09T07:00:00.000Z",
    ]);
  });
  it("keeps 8:00 local across the DST change (New York: 13:00 UTC, then 12:00)", () => {
    expect(iso(upcomingSlots(cron("0 8 * * *", "America/New_York"), at("2026-03-07T00:00:00Z"), 2))).toEqual([
      "2026-03-07T13:00:00.000Z",
      "2026-03-08T12:00:00.000Z",
    ]);
  });
  it.each([
    // The spring-forward gap: 02:30 does not exist that night, so that slot runs once, an hour later (03:30).
    ["America/New_York", "2026-03-07T12:00:00Z", ["2026-03-08T07:30:00.000Z", "2026-03-09T06:30:00.000Z"]],
    ["Europe/Berlin", "2026-03-28T12:00:00Z", ["2026-03-29T01:30:00.000Z", "2026-03-30T00:30:00.000Z"]],
  ])("runs a slot in the %s spring gap once, shifted forward", (zone, from, expected) => {
    expect(iso(upcomingSlots(cron("30 2 * * *", zone), at(from), 2))).toEqual(expected);
  });
  it.each([
    // The autumn overlap: 01:30 (New York) and 02:30 (Berlin) happen twice; the slot runs at the first only.
    [
      "America/New_York",
      "30 1 * * *",
      "2026-10-31T12:00:00Z",
      ["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"],
    ],
    [
      "Europe/Berlin",
      "30 2 * * *",
      "2026-10-24T12:00:00Z",
      ["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"],
    ],
  ])("runs a slot in the %s autumn overlap once", (zone, expr, from, expected) => {
    expect(iso(upcomingSlots(cron(expr, zone), at(from), 2))).toEqual(expected);
  });
  it("gives a one-off once", () => {
    const once: ScheduleTiming = { kind: "once", runAt: at("2026-12-06T08:00:00Z"), timeZone: "UTC" };
    expect(nextSlot(once, at("2026-12-05T00:00:00Z"))?.toISOString()).toBe("2026-12-06T08:00:00.000Z");
    expect(nextSlot(once, at("2026-12-06T08:00:00Z"))).toBeNull();
  });
});

describe("decideDue", () => {
  const hourly = cron("0 * * * *", "Europe/Berlin");
  const pending = at("2026-12-05T10:00:00Z");
  it("waits for a slot that has not come", () => {
    expect(decideDue(hourly, pending, at("2026-12-05T09:59:59Z"), "skip")).toEqual({
      kind: "wait",
      wakeAt: pending,
    });
  });
  it("runs a slot on time under either policy, then points at the next", () => {
    for (const policy of ["run_once", "skip"] as const) {
      expect(decideDue(hourly, pending, at("2026-12-05T10:00:02Z"), policy)).toEqual({
        kind: "run",
        slot: pending,
        late: false,
        next: at("2026-12-05T11:00:00Z"),
      });
    }
  });
  it("collapses slots missed while down into one run of the latest (run_once)", () => {
    expect(decideDue(hourly, pending, at("2026-12-05T13:20:00Z"), "run_once")).toEqual({
      kind: "run",
      slot: at("2026-12-05T13:00:00Z"),
      late: true,
      next: at("2026-12-05T14:00:00Z"),
    });
  });
  it("skips missed slots (skip) and waits for the next one after now", () => {
    expect(decideDue(hourly, pending, at("2026-12-05T13:20:00Z"), "skip")).toEqual({
      kind: "skip",
      slot: at("2026-12-05T13:00:00Z"),
      next: at("2026-12-05T14:00:00Z"),
    });
  });
  it("a late slot still within the grace runs under skip", () => {
    expect(decideDue(hourly, pending, at("2026-12-05T10:04:00Z"), "skip").kind).toBe("run");
  });
  it("catches up a minutely schedule down for days without walking every slot", () => {
    const minutely = cron("* * * * *", "UTC");
    const decision = decideDue(minutely, at("2026-12-01T00:00:00Z"), at("2026-12-05T00:00:30Z"), "run_once");
    expect(decision).toMatchObject({ kind: "run", slot: at("2026-12-05T00:00:00Z") });
  });
  it("a one-off runs once, with nothing after it", () => {
    const once: ScheduleTiming = { kind: "once", runAt: pending, timeZone: "UTC" };
    expect(decideDue(once, pending, at("2026-12-05T10:00:01Z"), "skip")).toEqual({
      kind: "run",
      slot: pending,
      late: false,
      next: null,
    });
  });
});

it("a slot's key names the schedule and the instant", () => {
  expect(slotKey("s1", at("2026-12-05T10:00:00Z"))).toBe("schedule:s1:2026-12-05T10:00:00.000Z");
});

describe("slotsWithin", () => {
  const DAY = 24 * 3_600_000;
  it("counts a day's slots, stopping at the limit", () => {
    expect(slotsWithin(cron("0 8 * * *", "Europe/Berlin"), at("2026-12-05T12:00:00Z"), DAY, 100)).toBe(1);
    expect(slotsWithin(cron("*/30 * * * *", "UTC"), at("2026-12-05T12:00:00Z"), DAY, 100)).toBe(48);
    expect(slotsWithin(cron("* * * * *", "UTC"), at("2026-12-05T12:00:00Z"), DAY, 25)).toBe(25);
  });
});

describe("decideDue just after a slot", () => {
  it("runs the slot that fell under a second ago as on time, once (croner counts whole seconds)", () => {
    const minutely = cron("* * * * *", "UTC");
    // Pending from two minutes back (the actor was away), woken half a second after the 12:05 slot.
    const decision = decideDue(minutely, at("2026-12-05T12:03:00Z"), at("2026-12-05T12:05:00.500Z"), "skip");
    expect(decision).toMatchObject({ kind: "run", slot: at("2026-12-05T12:05:00Z"), late: false });
  });
});
