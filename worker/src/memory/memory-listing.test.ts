import { describe, expect, it } from "vitest";
import { type ListEntry, withPendingWrites } from "./memory-listing";

const file = (path: string, size = 1): ListEntry => ({ path, type: "file", size });

describe("withPendingWrites", () => {
  it("leaves git's listing as it is, sorted, when nothing waits", () => {
    expect(withPendingWrites([file("b.md"), file("a.md")], "", [])).toEqual([file("a.md"), file("b.md")]);
  });

  it("marks a waiting write of a listed file pending, with the new content's size", () => {
    expect(
      withPendingWrites([file("notes/a.md", 3)], "notes/", [{ path: "notes/a.md", content: "hello" }]),
    ).toEqual([{ path: "notes/a.md", type: "file", size: 5, pending: true }]);
  });

  it("adds a waiting file git does not have yet", () => {
    expect(
      withPendingWrites([file("notes/b.md")], "notes/", [{ path: "notes/a.md", content: "hi" }]),
    ).toEqual([{ path: "notes/a.md", type: "file", size: 2, pending: true }, file("notes/b.md")]);
  });

  it("adds the first directory of a deeper waiting file once, and keeps a directory git already lists", () => {
    const dir: ListEntry = { path: "projects", type: "dir", size: 0 };
    expect(
      withPendingWrites([dir], "", [
        { path: "projects/x/a.md", content: "a" },
        { path: "people/bob.md", content: "b" },
        { path: "people/carol.md", content: "c" },
      ]),
    ).toEqual([{ path: "people", type: "dir", size: 0, pending: true }, dir]);
  });

  it("does not change the listing it was given", () => {
    const listed = [file("a.md")];
    withPendingWrites(listed, "", [{ path: "a.md", content: "longer" }]);
    expect(listed).toEqual([file("a.md")]);
  });
});
