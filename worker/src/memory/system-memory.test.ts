import { describe, expect, it } from "vitest";
import type { ListEntry } from "./memory-listing";
import { type SystemFile, SystemMemory, type SystemMemorySource } from "./system-memory";

const fileEntry = (path: string): ListEntry => ({ path, type: "file", size: 1 });

/**
 * A source with two sides: `stored` stands for L2 (Postgres, L1, waiting writes) and `git` for everything a turn
 * reads through, the user's stack included. `stackCalls` counts what reached the stack side.
 */
function fakeSource(options: {
  stored: Record<string, string>;
  git: Record<string, string>;
  /** Paths L2 lists but cannot read (only git could tell). */
  storedMisses?: string[];
  listStored?: () => Promise<ListEntry[]>;
}) {
  const stackCalls: string[] = [];
  const storedCalls: string[] = [];
  const warnings: string[] = [];
  const asFiles = (files: Record<string, string>) => Object.keys(files).map(fileEntry);
  const source: SystemMemorySource = {
    list: async (prefix) => {
      stackCalls.push(`list ${prefix}`);
      return [...asFiles(options.git), fileEntry("system/README.md")];
    },
    read: async (path) => {
      stackCalls.push(`read ${path}`);
      const content = options.git[path];
      return content === undefined ? null : { path, content };
    },
    listStored: async (prefix) => {
      storedCalls.push(`list ${prefix}`);
      if (options.listStored) return options.listStored();
      return [...asFiles(options.stored), ...(options.storedMisses ?? []).map(fileEntry)];
    },
    readStored: async (path) => {
      storedCalls.push(`read ${path}`);
      if (options.storedMisses?.includes(path)) return undefined;
      const content = options.stored[path];
      return content === undefined ? null : { path, content };
    },
    log: { warn: (message) => warnings.push(message) },
  };
  return { source, stackCalls, storedCalls, warnings };
}

const clock = () => {
  const time = { now: 1_000 };
  return { time, now: () => time.now };
};

const files = (entries: Record<string, string>): SystemFile[] =>
  Object.entries(entries).map(([path, content]) => ({ path, content }));

describe("SystemMemory, the read ahead of a turn (prefetch)", () => {
  it("reads from L2 alone, and the next turn uses what it read without calling the user's stack", async () => {
    const fake = fakeSource({ stored: { "system/me.md": "Alice" }, git: { "system/me.md": "Alice" } });
    const memory = new SystemMemory(fake.source);
    await memory.prefetch();
    expect(fake.stackCalls).toEqual([]);
    expect(fake.storedCalls).toEqual(["list system", "read system/me.md"]);
    expect(await memory.files()).toEqual(files({ "system/me.md": "Alice" }));
    expect(fake.stackCalls).toEqual([]);
  });

  it("an empty L2 is an answer too: no system files, and no call to the stack for it", async () => {
    const fake = fakeSource({ stored: {}, git: {} });
    const memory = new SystemMemory(fake.source);
    await memory.prefetch();
    expect(await memory.files()).toEqual([]);
    expect(fake.stackCalls).toEqual([]);
  });

  it("a turn after an L2 miss reads through to git, and sees what only git had", async () => {
    const fake = fakeSource({
      stored: { "system/a.md": "a" },
      storedMisses: ["system/b.md"],
      git: { "system/a.md": "a", "system/b.md": "b from git" },
    });
    const memory = new SystemMemory(fake.source);
    await memory.prefetch();
    expect(fake.stackCalls).toEqual([]);
    expect(await memory.files()).toEqual(files({ "system/a.md": "a", "system/b.md": "b from git" }));
    expect(fake.stackCalls).toEqual(["list system", "read system/a.md", "read system/b.md"]);
  });

  it("a system file changed after the prefetch (commit_memory) is read again by the next turn", async () => {
    const fake = fakeSource({ stored: { "system/me.md": "v1" }, git: { "system/me.md": "v2" } });
    const memory = new SystemMemory(fake.source);
    await memory.prefetch();
    memory.forget();
    expect(await memory.files()).toEqual(files({ "system/me.md": "v2" }));
    expect(fake.stackCalls).toContain("list system");
  });

  it("a change while the prefetch reads: what it read is not kept, the turn reads through", async () => {
    let release: (entries: ListEntry[]) => void = () => {};
    const fake = fakeSource({
      stored: {},
      git: { "system/me.md": "v2" },
      listStored: () => new Promise((resolve) => (release = resolve)),
    });
    const memory = new SystemMemory(fake.source);
    const prefetching = memory.prefetch();
    memory.forget();
    release([fileEntry("system/old.md")]);
    await prefetching;
    expect(await memory.files()).toEqual(files({ "system/me.md": "v2" }));
  });

  it("a turn that starts during the prefetch waits for it instead of reading a second time", async () => {
    let release: (entries: ListEntry[]) => void = () => {};
    const fake = fakeSource({
      stored: { "system/me.md": "Alice" },
      git: { "system/me.md": "Alice" },
      listStored: () => new Promise((resolve) => (release = resolve)),
    });
    const memory = new SystemMemory(fake.source);
    const prefetching = memory.prefetch();
    const turn = memory.files();
    release([fileEntry("system/me.md")]);
    await prefetching;
    expect(await turn).toEqual(files({ "system/me.md": "Alice" }));
    expect(fake.stackCalls).toEqual([]);
  });

  it("after the minute the cache lasts, the turn reads through to git again", async () => {
    const { time, now } = clock();
    const fake = fakeSource({ stored: { "system/me.md": "Alice" }, git: { "system/me.md": "Alice" } });
    const memory = new SystemMemory(fake.source, now);
    await memory.prefetch();
    time.now += 59_000;
    await memory.files();
    expect(fake.stackCalls).toEqual([]);
    time.now += 2_000;
    await memory.files();
    expect(fake.stackCalls).toContain("list system");
  });

  it("a failed prefetch keeps nothing, not even the empty answer a failed turn read keeps", async () => {
    const fake = fakeSource({
      stored: {},
      git: { "system/me.md": "Alice" },
      listStored: () => Promise.reject(new Error("database away")),
    });
    const memory = new SystemMemory(fake.source);
    await memory.prefetch();
    expect(fake.warnings).toHaveLength(1);
    expect(await memory.files()).toEqual(files({ "system/me.md": "Alice" }));
  });

  it("does nothing while a turn's read is cached or under way", async () => {
    const fake = fakeSource({ stored: { "system/me.md": "Alice" }, git: { "system/me.md": "Alice" } });
    const memory = new SystemMemory(fake.source);
    const turn = memory.files();
    await memory.prefetch();
    await turn;
    await memory.prefetch();
    expect(fake.storedCalls).toEqual([]);
  });

  it("keeps the prompt's bounds and leaves out system/README.md", async () => {
    const stored: Record<string, string> = { "system/README.md": "about this folder" };
    for (let i = 0; i < 12; i++) stored[`system/f${String(i).padStart(2, "0")}.md`] = "x".repeat(5_000);
    const fake = fakeSource({ stored, git: {} });
    const memory = new SystemMemory(fake.source);
    await memory.prefetch();
    const read = await memory.files();
    // 32 KiB hold six files of 5,000 bytes; README is not memory.
    expect(read.map((f) => f.path)).toEqual(
      Array.from({ length: 6 }, (_, i) => `system/f${String(i).padStart(2, "0")}.md`),
    );
  });
});
