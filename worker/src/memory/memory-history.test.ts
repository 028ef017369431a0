import { describe, expect, it } from "vitest";
import { commitsOf } from "./memory-history";

const version = (id: string, commitSha: string, threadId: string | null = null) => ({
  id,
  commitSha,
  message: `m${id}`,
  committedAt: new Date(Date.UTC(2026, 0, Number(id))),
  threadId,
});

describe("commitsOf", () => {
  it("lists one entry per commit, newest first, dropping writes that changed nothing", () => {
    // Newest first: write 3 repeated write 2's content, so git answered with write 2's commit.
    const entries = commitsOf([version("3", "b"), version("2", "b"), version("1", "a", "thread-1")]);
    expect(entries.map((e) => [e.sha, e.message, e.by])).toEqual([
      ["b", "m2", "user"],
      ["a", "m1", "agent"],
    ]);
    expect(entries[0]?.date).toBe("2026-01-02T00:00:00.000Z");
  });

  it("keeps a commit that came back to an older content (a restore is a new commit)", () => {
    expect(commitsOf([version("3", "c"), version("2", "b"), version("1", "a")]).map((e) => e.sha)).toEqual([
      "c",
      "b",
      "a",
    ]);
  });
});
