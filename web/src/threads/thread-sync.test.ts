import { QueryClient } from "@tanstack/solid-query";
import { afterEach, describe, expect, it } from "vitest";
import { forgetThread } from "./thread-cache";
import { shareThreadChanges } from "./thread-sync";

const KEY = ["threads"] as const;

/** A tab: its own query cache, with a thread list loaded from a fake API that counts its calls. */
function tab(userId: string) {
  const client = new QueryClient();
  let fetches = 0;
  const loadList = () =>
    client.fetchQuery({
      queryKey: KEY,
      queryFn: async () => {
        fetches++;
        return [{ id: "t1", title: `fetch ${fetches}` }];
      },
    });
  const stop = shareThreadChanges(client, () => userId, KEY);
  return { client, loadList, stop, fetches: () => fetches };
}

const isStale = (client: QueryClient) => client.getQueryCache().find({ queryKey: KEY })?.isStale() ?? false;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
};

describe("shareThreadChanges", () => {
  const tabs: Array<ReturnType<typeof tab>> = [];
  const open = (userId: string) => {
    const t = tab(userId);
    tabs.push(t);
    return t;
  };
  afterEach(() => {
    for (const t of tabs.splice(0)) t.stop();
  });

  it("marks the other tab's threads stale when one tab changes its own, and the refetch does not echo back", async () => {
    const a = open("alice");
    const b = open("alice");
    await a.loadList();
    await b.loadList();
    // Loaded data with no observer is stale only once invalidated.
    expect(isStale(b.client)).toBe(false);

    a.client.setQueryData(KEY, [{ id: "t1", title: "Renamed in A" }]);
    expect(await until(() => isStale(b.client))).toBe(true);

    // B refetching (what its sidebar does on an invalidation) is no local change: A hears nothing.
    await b.loadList();
    expect(b.fetches()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isStale(a.client)).toBe(false);
  });

  it("leaves a tab of another user alone", async () => {
    const a = open("alice");
    const b = open("bob");
    const c = open("alice");
    await b.loadList();
    await c.loadList();
    a.client.setQueryData(KEY, []);
    expect(await until(() => isStale(c.client))).toBe(true);
    expect(isStale(b.client)).toBe(false);
  });

  it("says nothing when a write changes nothing (New thread reusing an empty thread it re-read)", async () => {
    const a = open("alice");
    const b = open("alice");
    await a.loadList();
    await b.loadList();
    const one = ["threads", "t1"] as const;
    a.client.setQueryData(one, { id: "t1", title: "", lastSeq: 0 });
    expect(await until(() => isStale(b.client))).toBe(true);
    await b.loadList();

    // What useStartThread writes when it reuses the thread: the same thread, and a list with it in place.
    a.client.setQueryData(one, { id: "t1", title: "", lastSeq: 0 });
    a.client.setQueryData(KEY, (list: Array<{ id: string; title: string }> | undefined) =>
      list?.map((t) => ({ ...t })),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isStale(b.client)).toBe(false);

    // A real change still goes out.
    a.client.setQueryData(one, { id: "t1", title: "", lastSeq: 3 });
    expect(await until(() => isStale(b.client))).toBe(true);
  });

  it("announces a delete even when the deleting tab's list did not hold the thread", async () => {
    const a = open("alice");
    const b = open("alice");
    await a.loadList();
    await b.loadList();
    // Tab a's list is the one it loaded (t1 only); t9 was created elsewhere and is deleted here, from its page.
    forgetThread(a.client, "t9");
    expect(await until(() => isStale(b.client))).toBe(true);
    expect(a.client.getQueryData(["threads", "t9"])).toBeUndefined();
  });
});
