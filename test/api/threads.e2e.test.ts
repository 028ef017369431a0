import { describe, expect, it } from "vitest";
import type { components } from "../../web/src/api/openapi.gen";
import { appendEvent, appendMessage } from "../../worker/src/threads/thread-log.repository";
import { call, type ErrorBody, signedInClient, stackDb } from "../support/api";

// The events route also serves text/event-stream; as JSON it is always an EventPage.
type EventPage = components["schemas"]["EventPage"];

describe("threads API (typed client generated from the OpenAPI document)", () => {
  it("creates, reads, renames, lists and deletes a thread", async () => {
    const { api } = await signedInClient("crud");
    const created = await api.POST("/threads", { body: { title: "  Plan my week  " } });
    expect(created.response.status).toBe(201);
    const thread = created.data;
    if (!thread) throw new Error("no thread");
    expect(thread.title).toBe("Plan my week");
    expect(thread.lastSeq).toBe(0);
    expect(new Date(thread.createdAt).toISOString()).toBe(thread.createdAt);

    const read = await api.GET("/threads/{id}", { params: { path: { id: thread.id } } });
    expect(read.data).toEqual(thread);

    const renamed = await api.PATCH("/threads/{id}", {
      params: { path: { id: thread.id } },
      body: { title: "Plan my month" },
    });
    expect(renamed.data?.title).toBe("Plan my month");
    expect(renamed.data && renamed.data.updatedAt >= thread.updatedAt).toBe(true);

    const listed = await api.GET("/threads", { params: { query: { limit: 10 } } });
    expect(listed.data?.items.map((t) => t.id)).toEqual([thread.id]);
    expect(listed.data?.nextCursor).toBeNull();

    const deleted = await api.DELETE("/threads/{id}", { params: { path: { id: thread.id } } });
    expect(deleted.response.status).toBe(204);
    const gone = await api.GET("/threads/{id}", { params: { path: { id: thread.id } } });
    expect(gone.response.status).toBe(404);
    expect(gone.error?.error.code).toBe("thread_not_found");
  });

  it("serves events as JSON pages after a seq", async () => {
    const { api } = await signedInClient("events");
    const { data: thread } = await api.POST("/threads", { body: {} });
    if (!thread) throw new Error("no thread");
    const db = stackDb();
    const me = (await api.GET("/me")).data;
    if (!me) throw new Error("no me");
    for (let i = 1; i <= 5; i++) {
      await appendEvent(db, {
        userId: me.id,
        threadId: thread.id,
        type: "text.delta",
        data: { text: `t${i}` },
      });
    }
    await db.$client.end();

    const events = async (query: { after: number; limit?: number }) =>
      (await api.GET("/threads/{id}/events", { params: { path: { id: thread.id }, query } }))
        .data as EventPage;
    const page = await events({ after: 2, limit: 2 });
    expect(page.items.map((e) => e.seq)).toEqual([3, 4]);
    expect(page.nextAfter).toBe(4);
    expect(page.items[0]).toMatchObject({ threadId: thread.id, type: "text.delta", data: { text: "t3" } });
    expect((await events({ after: 4 })).items.map((e) => e.seq)).toEqual([5]);
    expect(await events({ after: 5 })).toEqual({ items: [], nextAfter: 5 });
  });
});

describe("ownership: user B cannot see or touch user A's threads", () => {
  it("answers 404 on every thread route, and changes nothing", async () => {
    const alice = await signedInClient("alice");
    const bob = await signedInClient("bob");
    const { data: thread } = await alice.api.POST("/threads", { body: { title: "private" } });
    if (!thread) throw new Error("no thread");
    const aliceMe = (await alice.api.GET("/me")).data;
    const db = stackDb();
    await appendMessage(db, {
      userId: aliceMe?.id ?? "",
      threadId: thread.id,
      role: "user",
      content: [{ type: "text", text: "secret" }],
    });
    await appendEvent(db, {
      userId: aliceMe?.id ?? "",
      threadId: thread.id,
      type: "message.created",
      data: {},
    });
    await db.$client.end();

    const path = `/api/threads/${thread.id}`;
    const attempts: Array<[string, RequestInit]> = [
      [path, {}],
      [path, { method: "PATCH", body: JSON.stringify({ title: "pwned" }) }],
      [path, { method: "DELETE" }],
      [`${path}/messages`, {}],
      [`${path}/events`, {}],
      [`${path}/events`, { headers: { accept: "text/event-stream" } }],
    ];
    for (const [url, init] of attempts) {
      const response = await call(url, bob.token, init);
      expect(response.status, `${init.method ?? "GET"} ${url}`).toBe(404);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe("thread_not_found");
      expect(JSON.stringify(body)).not.toContain("secret");
    }
    const bobsList = await bob.api.GET("/threads");
    expect(bobsList.data?.items).toEqual([]);

    // Alice's thread is untouched.
    const still = await alice.api.GET("/threads/{id}", { params: { path: { id: thread.id } } });
    expect(still.data?.title).toBe("private");
    const messages = await alice.api.GET("/threads/{id}/messages", { params: { path: { id: thread.id } } });
    expect(messages.data?.items).toHaveLength(1);
  });
});
