import { describe, expect, it } from "vitest";
import { appendMessage } from "../../worker/src/threads/thread-log.repository";
import { signedInClient, stackDb } from "../support/api";

describe("cursor pagination", () => {
  it("walks 1,000 messages exactly once, in order, while new ones keep arriving", async () => {
    const { api } = await signedInClient("pages");
    const { data: thread } = await api.POST("/threads", { body: { title: "long" } });
    const me = (await api.GET("/me")).data;
    if (!thread || !me) throw new Error("setup failed");
    const db = stackDb();
    const write = (text: string) =>
      appendMessage(db, {
        userId: me.id,
        threadId: thread.id,
        role: "user",
        content: [{ type: "text", text }],
      });
    // Concurrent writers: seq allocation must stay gapless and in commit order.
    for (let i = 0; i < 1_000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => write(`m${i + j}`)));
    }

    const seen: number[] = [];
    let cursor: string | undefined;
    let arrivals = 0;
    do {
      const page = await api.GET("/threads/{id}/messages", {
        params: { path: { id: thread.id }, query: { limit: 100, cursor } },
      });
      expect(page.response.status).toBe(200);
      seen.push(...(page.data?.items.map((m) => m.seq) ?? []));
      cursor = page.data?.nextCursor ?? undefined;
      if (arrivals < 5) {
        await write(`late${arrivals}`);
        arrivals += 1;
      }
    } while (cursor);
    await db.$client.end();

    const total = 1_000 + arrivals;
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it("lists threads newest first across pages without repeats", async () => {
    const { api } = await signedInClient("threadpages");
    const created: string[] = [];
    for (let i = 0; i < 25; i++) {
      const { data } = await api.POST("/threads", { body: { title: `t${i}` } });
      if (data) created.push(data.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.GET("/threads", { params: { query: { limit: 10, cursor } } });
      seen.push(...(page.data?.items.map((t) => t.id) ?? []));
      cursor = page.data?.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });
});
