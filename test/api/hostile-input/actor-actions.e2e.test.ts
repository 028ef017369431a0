import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient, errorCode } from "../../support/actors";
import { apiUrl, call, mintToken, signUp } from "../../support/api";
import {
  actionOf,
  attempt,
  GROW_AGENT_ACTIONS,
  REFUSED_ARGUMENT,
  REFUSED_CONNECTION,
  SUB_AGENT_ACTIONS,
} from "../../support/hostile-actors";
import {
  closeDatabase,
  footprint,
  mapLimit,
  NOTHING,
  openDatabase,
  RUNS,
  sample,
  show,
  startSamplesAt,
  type User,
} from "../../support/hostile-input";
import { samplesBefore } from "../../support/hostile-seeds";
import {
  expectVictimUntouched,
  type HostileUsers,
  hostileUsers,
  type Owner,
  type Victim,
} from "../../support/hostile-users";
import { invalidMemoryPath, nastyText } from "../../support/hostile-values";
import { wellFormed } from "../../support/openapi-operations";

/**
 * Hostile input against every actor action (the suite: `test/support/hostile-input.ts`): other users' keys, bad
 * connection params, refused WebSockets, hostile arguments to the caller's own actors.
 */

startSamplesAt(await samplesBefore("actor-actions"));

let users: HostileUsers;
let victim: Victim;
let intruder: User;
let badAuth: string[];
let owner: Owner;

beforeAll(async () => {
  openDatabase();
  users = await hostileUsers({ victim: true, owner: true });
  ({ victim, intruder, badAuth, owner } = users);
}, 240_000);

afterAll(closeDatabase);

describe("actor actions: other users' keys, bad connection params, hostile arguments", () => {
  const client = () => actorClient(apiUrl());

  it("refuses other users' keys, malformed keys and bad params on every action, and resolves nothing for them", async () => {
    const rawBadTokens = badAuth.filter((h) => h.startsWith("Bearer ")).map((h) => h.slice("Bearer ".length));
    const badParams = fc.oneof(
      fc.constant(undefined),
      fc.record({
        token: fc.oneof(
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.string(), { maxLength: 2 }),
          fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
          // Printable ASCII: anything else cannot even leave the client (params travel in a header).
          fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
          fc.constantFrom(...rawBadTokens),
        ),
      }),
      fc.record({ internal: fc.jsonValue({ maxDepth: 1 }), userId: fc.constantFrom(victim.id, intruder.id) }),
    );
    const anyParams = fc.oneof(fc.constant({ token: intruder.token }), badParams);
    const args = fc.array(fc.oneof(nastyText(100), fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 });
    const malformedKey = fc.oneof(
      fc.constant([] as string[]),
      // Well-formed: a lone surrogate in a key fails in the client (encodeURIComponent), never reaching the server.
      fc.array(nastyText(40, 1).map(wellFormed), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1_000, max: 20_000 }).map((n) => ["k".repeat(n)]),
      fc.constant([intruder.id, "extra", "parts"]),
    );
    const cases = sample(
      fc.oneof(
        // Someone else's Grow Agent (it exists), with any params.
        fc.record({
          type: fc.constant("growAgent" as const),
          key: fc.constant([victim.id]),
          params: anyParams,
          action: fc.constantFrom(...GROW_AGENT_ACTIONS),
          args,
        }),
        // One's own Grow Agent without a valid token.
        fc.record({
          type: fc.constant("growAgent" as const),
          key: fc.constant([intruder.id]),
          params: badParams,
          action: fc.constantFrom(...GROW_AGENT_ACTIONS),
          args,
        }),
        // Someone else's sub-agent (it exists), or keys no client may use.
        fc.record({
          type: fc.constant("subAgent" as const),
          key: fc.oneof(fc.constant(victim.subAgentKey as string[]), malformedKey),
          params: anyParams,
          action: fc.constantFrom(...SUB_AGENT_ACTIONS),
          args,
        }),
        fc.record({
          type: fc.constant("growAgent" as const),
          key: malformedKey,
          params: anyParams,
          action: fc.constantFrom(...GROW_AGENT_ACTIONS),
          args,
        }),
      ),
      RUNS * 2,
    );
    const outcomes = await mapLimit(cases, 4, async (c) => {
      const accessor = c.type === "growAgent" ? client().growAgent : client().subAgent;
      const options = c.params === undefined ? {} : { params: c.params };
      // Existing actors and one's own key may be got-or-created; anything else is only looked up, never created.
      const own = c.key.length === 1 && c.key[0] === intruder.id;
      const exists = c.key[0] === victim.id && (c.key.length === 1 || c.key[1] === victim.subAgentKey[1]);
      const handle =
        own || exists
          ? accessor.getOrCreate(c.key as never, options as never)
          : accessor.get(c.key as never, options as never);
      return { c, outcome: await attempt(() => actionOf(handle, c.action)(...c.args)) };
    });
    const problems = outcomes
      .filter(({ outcome }) => outcome.ok || !REFUSED_CONNECTION.includes(outcome.code ?? ""))
      .map(
        ({ c, outcome }) =>
          `${c.type}${show(c.key)} ${c.action}(${show(c.args)}) params=${show(c.params)} → ${outcome.ok ? `success ${show(outcome.value)}` : `${outcome.group}.${outcome.code}: ${outcome.message}`}`,
      );
    console.info(`hostile-input: ${outcomes.length} refused actor calls`);
    expect(problems, problems.join("\n")).toEqual([]);
    expect(await footprint(intruder.id)).toEqual(NOTHING);
  });

  it("refuses a connection (WebSocket) to another user's actor or with a bad token", async () => {
    const expired = await mintToken(intruder.username, { now: Math.floor(Date.now() / 1000) - 7_200 });
    // Connecting by id skips the lookup, which would refuse these first: the WebSocket itself must refuse them.
    const attempts: Array<[string, string, object | undefined]> = [
      ["another user's Grow Agent", victim.growAgentActorId, { token: intruder.token }],
      ["another user's sub-agent", victim.subAgentActorId, { token: intruder.token }],
      ["no params", victim.growAgentActorId, undefined],
      ["a numeric token", victim.growAgentActorId, { token: 42 }],
      ["an expired token", victim.growAgentActorId, { token: expired }],
      ["forged internal credentials", victim.growAgentActorId, { internal: `v1.${victim.id}.growAgent.1.x` }],
    ];
    for (const [what, actorId, params] of attempts) {
      const conn = actorClient(apiUrl(), intruder.token)
        .growAgent.getForId(actorId, params ? { params } : {})
        .connect();
      try {
        const refused = await new Promise<unknown>((resolve) => conn.onError(resolve));
        expect(REFUSED_CONNECTION, what).toContain(errorCode(refused));
        await expect(conn.whoami(), what).rejects.toBeDefined();
      } finally {
        await conn.dispose();
      }
    }
  });

  it("refuses hostile arguments to the caller's own actors cleanly, and keeps only what succeeded", async () => {
    const params = { token: owner.token };
    const own = client().subAgent.get([owner.id, owner.subAgentId], { params });
    const described = await own.describe();
    const before = await footprint(owner.id);
    const threadId = fc.oneof(
      fc.constantFrom(victim.threadId, crypto.randomUUID()),
      fc.uuid({ version: [4, 7] }),
      nastyText(60),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const text = fc.oneof(
      nastyText(300),
      fc.constantFrom("", "   ", "\n\t"),
      fc.integer({ min: 50_000, max: 200_000 }).map((n) => "t".repeat(n)),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const memoryInput = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        {
          path: fc.oneof(invalidMemoryPath(), nastyText(80), fc.jsonValue({ maxDepth: 1 })),
          content: fc.oneof(
            nastyText(500),
            fc.integer({ min: 256 * 1024 + 1, max: 400 * 1024 }).map((n) => "c".repeat(n)),
            fc.integer({ min: 800 * 1024, max: 900 * 1024 }).map((n) => "c".repeat(n)),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          message: nastyText(300),
          idempotencyKey: nastyText(300),
        },
        { requiredKeys: ["path", "content"] },
      ),
    );
    const junk = fc.array(fc.oneof(nastyText(60), fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 });
    const calls = sample(
      fc.oneof(
        fc
          .tuple(threadId, text)
          .map((a) => ({ type: "growAgent", action: "sendMessage", args: a as unknown[] })),
        threadId.map((t) => ({ type: "growAgent", action: "cancel", args: [t] })),
        threadId.map((t) => ({ type: "growAgent", action: "threadStatus", args: [t] })),
        memoryInput.map((m) => ({ type: "growAgent", action: "commitMemory", args: [m] })),
        text.map((t) => ({ type: "growAgent", action: "ping", args: [t] })),
        fc
          .tuple(
            fc.constantFrom(
              "relaySubAgentEvents",
              "subAgentFinished",
              "threadDeleted",
              "shareRevoked",
              "eventCursor",
              "hubListening",
            ),
            junk,
          )
          .map(([action, args]) => ({ type: "growAgent", action, args })),
        fc
          .tuple(fc.constantFrom("describe", "start", "cancel"), junk)
          .map(([action, args]) => ({ type: "subAgent", action, args })),
      ),
      RUNS * 2,
    );
    const agent = client().growAgent.getOrCreate([owner.id], { params });
    const sub = client().subAgent.get([owner.id, owner.subAgentId], { params });
    const outcomes = await mapLimit(calls, 4, async (c) => ({
      c,
      outcome: await attempt(() => actionOf(c.type === "growAgent" ? agent : sub, c.action)(...c.args)),
    }));
    const problems = outcomes
      .filter(({ outcome }) => !outcome.ok && !REFUSED_ARGUMENT.includes(outcome.code ?? ""))
      .map(
        ({ c, outcome }) =>
          `${c.type} ${c.action}(${show(c.args)}) → ${outcome.group}.${outcome.code}: ${outcome.message}`,
      );
    // Actions only the user's own actors may call stay refused for the user.
    for (const { c, outcome } of outcomes) {
      const internalOnly = [
        "relaySubAgentEvents",
        "subAgentFinished",
        "threadDeleted",
        "shareRevoked",
        "eventCursor",
        "hubListening",
        "start",
      ];
      if (internalOnly.includes(c.action) && outcome.ok)
        problems.push(`${c.type} ${c.action} succeeded for a client`);
      if (c.action === "sendMessage" && outcome.ok)
        problems.push(`sendMessage to ${show(c.args[0])} succeeded`);
    }
    console.info(`hostile-input: ${outcomes.length} actor calls with hostile arguments`);
    expect(problems, problems.join("\n")).toEqual([]);
    const commits = outcomes.filter(({ c, outcome }) => c.action === "commitMemory" && outcome.ok).length;
    expect(await footprint(owner.id)).toEqual({
      ...before,
      outbox: before.outbox + commits,
      repos: commits > 0 ? 1 : before.repos,
    });
    expect(await own.describe()).toEqual(described);
  });

  it("an actor created under another user's key, even without a token, is refused and not listed in that user's account", async () => {
    const target = await signUp("planted");
    const listed = async () =>
      ((await (await call("/api/actors", target.token)).json()) as { items: unknown[] }).items.length;
    const before = await listed();
    const planted = await attempt(async () =>
      (await client().subAgent.create([target.id, "planted"], { input: { task: "not yours" } })).describe(),
    );
    expect(planted.code).toBe("missing_token");
    expect(await listed()).toBe(before);
  });
});

it("leaves the other user's account exactly as it was", () => expectVictimUntouched(users));
