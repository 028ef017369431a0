import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient } from "../../support/actors";
import { apiUrl, call, type ErrorBody, signUp } from "../../support/api";
import { attempt } from "../../support/hostile-actors";
import { closeDatabase, footprint, openDatabase, type User } from "../../support/hostile-input";
import { deliver } from "../../support/hostile-stripe";
import { hostileUsers } from "../../support/hostile-users";
import { signStripePayload } from "../../support/stripe-webhooks";

/**
 * The bugs the hostile-input suite found (`test/support/hostile-input.ts`, docs/reliability.md), each as the
 * plain case that showed it.
 */

let intruder: User;

beforeAll(async () => {
  openDatabase();
  ({ intruder } = await hostileUsers({}));
}, 240_000);

afterAll(closeDatabase);

describe("regressions this suite found", () => {
  const expectError = async (response: Response, status: number, code?: string) => {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    const body = JSON.parse(text) as ErrorBody;
    if (code) expect(body.error.code).toBe(code);
    expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
  };

  it("refuses a NUL character in a thread title with 400 (Postgres cannot store it; it was a 500)", async () => {
    const user = await signUp("nultitle");
    const create = (title: string) =>
      call("/api/threads", user.token, { method: "POST", body: JSON.stringify({ title }) });
    await expectError(await create("a\u0000b"), 400, "invalid_request");
    const { id } = (await (await create("ok")).json()) as { id: string };
    const rename = await call(`/api/threads/${id}`, user.token, {
      method: "PATCH",
      body: JSON.stringify({ title: "x\u0000" }),
    });
    await expectError(rename, 400, "invalid_request");
    expect((await footprint(user.id)).threads).toBe(1);
  });

  it("refuses a NUL character in a memory commit message or idempotency key (they were 500s)", async () => {
    const user = await signUp("nulmsg");
    const rest = await call("/api/memory/file", user.token, {
      method: "PUT",
      body: JSON.stringify({ path: "notes/a.md", content: "x", message: "a\u0000b" }),
    });
    await expectError(rest, 400, "invalid_request");
    const agent = actorClient(apiUrl()).growAgent.getOrCreate([user.id], { params: { token: user.token } });
    const viaActor = await attempt(() =>
      agent.commitMemory({ path: "notes/a.md", content: "x", message: "a\u0000b" }),
    );
    expect(viaActor.code).toBe("invalid_content");
    const key = await attempt(() =>
      agent.commitMemory({ path: "notes/a.md", content: "x", idempotencyKey: "k\u0000" }),
    );
    expect(key.code).toBe("invalid_content");
    expect((await footprint(user.id)).outbox).toBe(0);
  });

  it("refuses an invalid memory write before waking the user's Grow Agent", async () => {
    const user = await signUp("edge");
    for (const path of ["../x.md", ".git/config", "a\\b.md"]) {
      const response = await call("/api/memory/file", user.token, {
        method: "PUT",
        body: JSON.stringify({ path, content: "x" }),
      });
      await expectError(response, 400);
    }
    const tooBig = await call("/api/memory/file", user.token, {
      method: "PUT",
      body: JSON.stringify({ path: "big.md", content: "x".repeat(256 * 1024 + 1) }),
    });
    await expectError(tooBig, 413, "content_too_large");
    const actors = (await (await call("/api/actors", user.token)).json()) as { items: unknown[] };
    expect(actors.items).toEqual([]);
  });

  it("answers a new user's first memory reads, all at once, without a 500 (each used to bootstrap the repository)", async () => {
    const user = await signUp("firstread");
    const reads = await Promise.all(
      Array.from({ length: 4 }, () => [
        call("/api/memory?prefix=", user.token),
        call("/api/memory/file?path=notes/none.md", user.token),
        call("/api/memory/history?path=notes/none.md", user.token),
      ]).flat(),
    );
    expect(reads.map((r) => r.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404,
    ]);
    expect((await footprint(user.id)).repos).toBe(0);
    // The first write bootstraps it (through the user's actor, one at a time), and reads find it from then on.
    const write = await call("/api/memory/file", user.token, {
      method: "PUT",
      body: JSON.stringify({ path: "notes/first.md", content: "first" }),
    });
    expect(write.status).toBe(200);
    const listed = (await (await call("/api/memory?prefix=", user.token)).json()) as {
      items: Array<{ path: string }>;
    };
    expect(listed.items.map((e) => e.path).sort()).toEqual(["README.md", "notes", "system"]);
  });

  it.each([
    ["an empty object", "{}", 400],
    ["an array", "[]", 400],
    ["a string", '"evt"', 400],
    ["a numeric id", '{"id":123,"type":"x","created":1,"data":{"object":{}}}', 400],
    ["a NUL in the id", '{"id":"evt_\\u0000","type":"x","created":1,"data":{"object":{}}}', 400],
    ["a NUL in the type", '{"id":"evt_nul_type","type":"x\\u0000","created":1,"data":{"object":{}}}', 400],
    [
      "a date out of range",
      '{"id":"evt_far","type":"invoice.paid","created":1e20,"data":{"object":{}}}',
      400,
    ],
    [
      "type constructor",
      `{"id":"evt_ctor_${crypto.randomUUID().slice(0, 8)}","type":"constructor","created":1,"data":{"object":{}}}`,
      200,
    ],
  ])("answers a signed webhook body with %s without a 500", async (_, payload, status) => {
    const response = await deliver(payload, signStripePayload(payload));
    expect(response.status, response.text).toBe(status);
  });

  it("answers a path with a trailing slash with 404, not a 405 naming the very method used", async () => {
    const response = await call("/api/threads/", intruder.token);
    await expectError(response, 404, "not_found");
  });
});

describe("messages", () => {
  it("a message with a NUL character is refused with 400 and nothing is stored", async () => {
    const user = await signUp("nul");
    const thread = await call("/api/threads", user.token, { method: "POST", body: "{}" });
    const { id } = (await thread.json()) as { id: string };
    const response = await call(`/api/threads/${id}/messages`, user.token, {
      method: "POST",
      body: JSON.stringify({ text: "before\u0000after" }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    const events = await call(`/api/threads/${id}/events`, user.token);
    expect(((await events.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
