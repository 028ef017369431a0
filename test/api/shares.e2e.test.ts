import { describe, expect, it } from "vitest";
import { eventually } from "../support/actors";
import { apiUrl, call, signedInClient, signUp } from "../support/api";
import { loadOperations, urlFor, validExample } from "../support/openapi-operations";

/**
 * Share links (issue 24): the owner makes a read-only link to a thread; anyone holding it sees that thread and its
 * live stream without signing in, and nothing else; revocation and expiry take effect at once, open streams
 * included.
 */

type Api = Awaited<ReturnType<typeof signedInClient>>["api"];
interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

const shared = (token: string, rest = "") => `${apiUrl()}/api/shared/${token}${rest}`;
const anonymous = (token: string, rest = "", init: RequestInit = {}) => fetch(shared(token, rest), init);

/** Reads SSE messages until `stop` says so or the server ends the stream; `ended` tells which. */
async function readSse(
  response: Response,
  stop: (messages: SseMessage[]) => boolean = () => false,
  messages: SseMessage[] = [],
) {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no body");
  let buffer = "";
  let ended = false;
  while (!stop(messages)) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buffer += value;
    for (let at = buffer.indexOf("\n\n"); at !== -1; at = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const message: SseMessage = { data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) message.id = line.slice(4);
        else if (line.startsWith("event: ")) message.event = line.slice(7);
        else if (line.startsWith("data: ")) message.data += line.slice(6);
      }
      if (message.data || message.id) messages.push(message);
    }
  }
  if (!ended) await reader.cancel();
  return { messages, ended };
}

const events = (messages: SseMessage[]) =>
  messages
    .filter((m) => m.id !== undefined)
    .map((m) => JSON.parse(m.data) as { type: string; data: unknown });
const turnEnded = (type: string) => type.startsWith("turn.") && type !== "turn.started";

async function ownerWithThread(prefix: string) {
  const owner = await signedInClient(prefix);
  const { data: thread } = await owner.api.POST("/threads", { body: { title: `${prefix}'s shared thread` } });
  const me = (await owner.api.GET("/me")).data;
  if (!thread || !me) throw new Error("setup failed");
  return { ...owner, thread, me };
}

async function share(api: Api, threadId: string, expiresInSeconds?: number) {
  const created = await api.POST("/threads/{id}/shares", {
    params: { path: { id: threadId } },
    body: expiresInSeconds ? { expiresInSeconds } : {},
  });
  if (!created.data) throw new Error(`share failed: ${created.response.status}`);
  return created.data;
}

/** Sends a message as the owner and waits for its turn to end. */
async function runTurn(api: Api, threadId: string, text: string) {
  await api.POST("/threads/{id}/messages", { params: { path: { id: threadId } }, body: { text } });
  await eventually(async () => {
    const page = await api.GET("/threads/{id}/events", {
      params: { path: { id: threadId }, query: { after: 0, limit: 500 } },
    });
    const items = typeof page.data === "object" ? page.data.items : [];
    const sent = items.filter((e) => e.type === "message.user").length;
    expect(items.filter((e) => turnEnded(e.type)).length).toBe(sent);
  }, 20_000);
}

/** The body of a 404 without its request id, to compare refusals. */
async function refusal(response: Response) {
  expect(response.status).toBe(404);
  const body = (await response.json()) as { error: { code: string; message: string; requestId?: string } };
  return { code: body.error.code, message: body.error.message };
}

describe("share links", () => {
  it("show the thread and its events without signing in, scrubbed of everything but the conversation", async () => {
    const owner = await ownerWithThread("share-read");
    await owner.api.POST("/threads", { body: { title: "a different private thread" } });
    await runTurn(owner.api, owner.thread.id, "[[tool:list_threads {}]] Hello there");
    const link = await share(owner.api, owner.thread.id);
    expect(link.path).toBe(`/share/${link.token}`);

    const thread = await anonymous(link.token);
    expect(thread.status).toBe(200);
    expect(thread.headers.get("cache-control")).toBe("no-store");
    expect(thread.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await thread.json()).toMatchObject({ title: "share-read's shared thread", expiresAt: null });

    const page = await anonymous(link.token, "/events?limit=500");
    const text = await page.text();
    const { items } = JSON.parse(text) as { items: Array<{ type: string; data: Record<string, unknown> }> };
    expect(items.find((e) => e.type === "message.user")?.data.text).toContain("Hello there");
    expect(items.some((e) => e.type === "text.delta")).toBe(true);
    expect(items.find((e) => e.type === "tool.call")?.data).toMatchObject({
      name: "list_threads",
      input: {},
    });
    expect(items.find((e) => e.type === "tool.result")?.data.content).toBe("");
    expect(items.some((e) => e.type === "usage")).toBe(false);
    for (const secret of [owner.me.id, owner.username]) expect(text).not.toContain(secret);
  });

  it("stream live to an anonymous client, and a revoked link stops at once: open stream closed, then 404", async () => {
    const owner = await ownerWithThread("share-live");
    const link = await share(owner.api, owner.thread.id);
    const stream = await anonymous(link.token, "/events", { headers: { accept: "text/event-stream" } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("cache-control")).toBe("no-store");

    // Pushed by the owner's agent while the stream is open.
    const live = readSse(stream, (m) => events(m).some((e) => turnEnded(e.type)));
    const sending = owner.api.POST("/threads/{id}/messages", {
      params: { path: { id: owner.thread.id } },
      body: { text: "Live for the link" },
    });
    await sending;
    const { messages } = await live;
    const seen = events(messages);
    expect(seen[0]).toMatchObject({ type: "message.user", data: { text: "Live for the link" } });
    expect(seen.at(-1)?.type).toBe("turn.completed");
    expect(JSON.stringify(seen)).not.toContain(owner.me.id);

    const open = await anonymous(link.token, "/events", { headers: { accept: "text/event-stream" } });
    const received: SseMessage[] = [];
    const reading = readSse(open, () => false, received);
    await eventually(() => expect(received.map((m) => m.event)).toContain("ready"));
    const revokedAt = Date.now();
    const revoked = await owner.api.DELETE("/threads/{id}/shares/{shareId}", {
      params: { path: { id: owner.thread.id, shareId: link.id } },
    });
    expect(revoked.data?.status).toBe("revoked");
    const ended = await reading;
    expect(ended.ended).toBe(true);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);

    const unknown = await refusal(await anonymous("A".repeat(43)));
    expect(await refusal(await anonymous(link.token))).toEqual(unknown);
    expect(await refusal(await anonymous(link.token, "/events"))).toEqual(unknown);
    expect(
      (await anonymous(link.token, "/events", { headers: { accept: "text/event-stream" } })).status,
    ).toBe(404);
  });

  it("expire: an open stream ends at the expiry and the link answers 404 like an unknown one", async () => {
    const owner = await ownerWithThread("share-expiry");
    const link = await share(owner.api, owner.thread.id, 3);
    expect(link.expiresAt).not.toBeNull();
    const stream = await anonymous(link.token, "/events", { headers: { accept: "text/event-stream" } });
    expect(stream.status).toBe(200);
    const { ended } = await readSse(stream);
    expect(ended).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(link.expiresAt ?? "") - 100);
    expect(await refusal(await anonymous(link.token))).toEqual(
      await refusal(await anonymous("B".repeat(43))),
    );
    const listed = await owner.api.GET("/threads/{id}/shares", { params: { path: { id: owner.thread.id } } });
    expect(listed.data?.items.map((s) => s.status)).toEqual(["expired"]);
  }, 20_000);

  it("belong to their owner: another user gets 404 on the thread's links; tokens are never listed", async () => {
    const owner = await ownerWithThread("share-owner");
    const link = await share(owner.api, owner.thread.id);
    const intruder = await signedInClient("share-intruder");
    const path = { id: owner.thread.id };
    expect((await intruder.api.GET("/threads/{id}/shares", { params: { path } })).response.status).toBe(404);
    expect(
      (await intruder.api.POST("/threads/{id}/shares", { params: { path }, body: {} })).response.status,
    ).toBe(404);
    expect(
      (
        await intruder.api.DELETE("/threads/{id}/shares/{shareId}", {
          params: { path: { ...path, shareId: link.id } },
        })
      ).response.status,
    ).toBe(404);
    // Their own thread with the owner's link id: still not theirs.
    const { data: own } = await intruder.api.POST("/threads", { body: {} });
    const crossed = await intruder.api.DELETE("/threads/{id}/shares/{shareId}", {
      params: { path: { id: own?.id ?? "", shareId: link.id } },
    });
    expect(crossed.response.status).toBe(404);
    expect((await anonymous(link.token)).status).toBe(200);

    const listed = await owner.api.GET("/threads/{id}/shares", { params: { path } });
    expect(listed.data?.items).toEqual([
      expect.objectContaining({ id: link.id, status: "active", revokedAt: null }),
    ]);
    expect(JSON.stringify(listed.data)).not.toContain(link.token);
  });

  it("are capped per thread even when created all at once", async () => {
    const owner = await ownerWithThread("share-burst");
    const path = { id: owner.thread.id };
    const statuses = await Promise.all(
      Array.from({ length: 56 }, () =>
        owner.api.POST("/threads/{id}/shares", { params: { path }, body: {} }).then((r) => r.response.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 409 || s === 429)).toBe(true);
    const listed = await owner.api.GET("/threads/{id}/shares", { params: { path } });
    expect(listed.data?.items).toHaveLength(50);
  });

  it("open nothing else: the token as a bearer, a query parameter or connection params is refused everywhere", async () => {
    const owner = await ownerWithThread("share-nothing");
    const link = await share(owner.api, owner.thread.id);
    const { operations } = await loadOperations(apiUrl());
    const problems: string[] = [];
    for (const op of operations) {
      if (op.path.startsWith("/shared/")) continue;
      const pathValues = Object.fromEntries(
        op.parameters
          .filter((p) => p.in === "path")
          .map((p) => [p.name, p.name === "id" ? owner.thread.id : String(validExample(p.schema))]),
      );
      const query: Array<[string, string]> = op.parameters
        .filter((p) => p.in === "query" && p.required)
        .map((p) => [p.name, String(validExample(p.schema))]);
      const body = op.body ? JSON.stringify(validExample(op.body.schema)) : undefined;
      const send = (authorization: string | undefined, extra: Array<[string, string]>) =>
        fetch(urlFor(apiUrl(), op, pathValues, [...query, ...extra]), {
          method: op.method,
          headers: {
            ...(authorization ? { authorization } : {}),
            ...(body ? { "content-type": "application/json" } : {}),
          },
          body,
        });
      const without = await send(undefined, []);
      await without.body?.cancel();
      const attempts = [
        ["bearer", await send(`Bearer ${link.token}`, [])],
        [
          "query",
          await send(undefined, [
            ["token", link.token],
            ["share", link.token],
          ]),
        ],
      ] as const;
      for (const [how, response] of attempts) {
        const text = await response.text();
        // A secured route refuses the token; an open one (health, webhooks) answers as it does to anyone.
        const expected = op.secured ? [401] : [without.status];
        if (!expected.includes(response.status))
          problems.push(`${op.key} (${how}) → ${response.status}, expected ${expected}`);
        if (text.includes(owner.thread.id) || text.includes(owner.me.id))
          problems.push(`${op.key} (${how}) named the owner's thread or id`);
      }
    }
    const rivet = (path: string, init: RequestInit = {}) => fetch(`${apiUrl()}/api/rivet${path}`, init);
    const bearer = { authorization: `Bearer ${link.token}` };
    const rivetAttempts: Array<[string, Response]> = [
      ["GET /rivet/actors", await rivet(`/actors?name=growAgent&key=${owner.me.id}`, { headers: bearer })],
      [
        "PUT /rivet/actors",
        await rivet("/actors", {
          method: "PUT",
          headers: { ...bearer, "content-type": "application/json" },
          body: JSON.stringify({
            name: "growAgent",
            key: owner.me.id,
            runner_name_selector: "default",
            crash_policy: "sleep",
          }),
        }),
      ],
      [
        "POST /rivet/gateway/{id}/action/whoami",
        await rivet("/gateway/any-actor/action/whoami", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-rivet-encoding": "json",
            "x-rivet-conn-params": JSON.stringify({ token: link.token }),
          },
          body: JSON.stringify({ args: [] }),
        }),
      ],
    ];
    for (const [key, response] of rivetAttempts) {
      const text = await response.text();
      if (![401, 404].includes(response.status)) problems.push(`${key} → ${response.status}: ${text}`);
    }
    expect(problems, problems.join("\n")).toEqual([]);
    // The link itself still works: refusing everything else was not refusing it.
    expect((await anonymous(link.token)).status).toBe(200);
  }, 60_000);

  it("refuse malformed tokens with 400 and limit inputs on the owner's side", async () => {
    expect((await anonymous("not-a-token")).status).toBe(400);
    expect((await anonymous(`${"A".repeat(43)}=`)).status).toBe(400);
    const owner = await signUp("share-limits");
    const { id } = (await (
      await call("/api/threads", owner.token, { method: "POST", body: "{}" })
    ).json()) as {
      id: string;
    };
    for (const body of [
      { expiresInSeconds: 0 },
      { expiresInSeconds: 10 ** 9 },
      { expiresInSeconds: 1.5 },
      { other: 1 },
    ]) {
      const response = await call(`/api/threads/${id}/shares`, owner.token, {
        method: "POST",
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });
});
