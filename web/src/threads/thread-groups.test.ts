import { describe, expect, it } from "vitest";
import { filterByTitle, groupByDate, nextLocalDay } from "./thread-groups";

// Local times (no "Z"): the groups are the viewer's calendar days, whatever zone the test runs in.
const now = new Date(2026, 11, 5, 9, 30);
const at = (day: number, hour = 12, minute = 0) => new Date(2026, 11, day, hour, minute).toISOString();
const thread = (title: string, createdAt: string) => ({ title, createdAt });

describe("groupByDate", () => {
  it("puts each thread in its calendar day's group, in the group order, leaving empty groups out", () => {
    const threads = [
      thread("in a minute", new Date(now.getTime() + 60_000).toISOString()),
      thread("this morning", at(5, 0, 0)),
      thread("last night", at(4, 23, 59)),
      thread("yesterday morning", at(4, 0, 0)),
      thread("two days ago", at(3)),
      thread("seven days ago", new Date(2026, 10, 28, 0, 0).toISOString()),
      thread("eight days ago", new Date(2026, 10, 27, 23, 59).toISOString()),
      thread("last year", new Date(2025, 11, 5).toISOString()),
    ];

    const groups = groupByDate(threads, now);
    expect(groups.map((g) => [g.label, g.threads.map((t) => t.title)])).toEqual([
      ["Today", ["in a minute", "this morning"]],
      ["Yesterday", ["last night", "yesterday morning"]],
      ["Previous 7 days", ["two days ago", "seven days ago"]],
      ["Older", ["eight days ago", "last year"]],
    ]);
  });

  it("keeps the given order within a group even when creation times are not sorted", () => {
    const groups = groupByDate([thread("b", at(5, 8)), thread("a", at(5, 9)), thread("c", at(1))], now);
    expect(groups).toEqual([
      { label: "Today", threads: [thread("b", at(5, 8)), thread("a", at(5, 9))] },
      { label: "Previous 7 days", threads: [thread("c", at(1))] },
    ]);
  });

  it("returns no groups for no threads, and files an unreadable date under Older", () => {
    expect(groupByDate([], now)).toEqual([]);
    expect(groupByDate([thread("x", "not a date")], now)).toEqual([
      { label: "Older", threads: [thread("x", "not a date")] },
    ]);
  });
});

describe("filterByTitle", () => {
  const titles = ["Plan my week", "Café budget", "", "Weekly plan review"];
  const shown = (title: string) => title.trim() || "Untitled thread";
  const search = (query: string) => filterByTitle(titles, query, shown);

  it("keeps every thread for a blank query", () => {
    expect(search("")).toEqual(titles);
    expect(search("   ")).toEqual(titles);
  });

  it("matches every word anywhere in the title, ignoring case and accents", () => {
    expect(search("PLAN")).toEqual(["Plan my week", "Weekly plan review"]);
    expect(search("week plan")).toEqual(["Plan my week", "Weekly plan review"]);
    expect(search("cafe")).toEqual(["Café budget"]);
    expect(search("plan budget")).toEqual([]);
  });

  it("searches the title as shown, so an untitled thread is found as one", () => {
    expect(search("untitled")).toEqual([""]);
  });
});

describe("nextLocalDay", () => {
  it("is just past the coming local midnight, so a tab open overnight regroups once the day has changed", () => {
    const late = new Date(2026, 11, 5, 23, 59, 30);
    expect(nextLocalDay(late)).toEqual(new Date(2026, 11, 6, 0, 0, 1));
    expect(groupByDate([thread("late", late.toISOString())], nextLocalDay(late))[0]?.label).toBe("Yesterday");
    // The last day of a month and of a year roll over too.
    expect(nextLocalDay(new Date(2026, 11, 31, 8))).toEqual(new Date(2027, 0, 1, 0, 0, 1));
  });
});
