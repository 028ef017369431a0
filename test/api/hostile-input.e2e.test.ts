import { sql } from "drizzle-orm";
import fc from "fast-check";
import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { opencodeSessions, processedWebhookEvents } from "../../schema";
import type { Database } from "../../schema/db";
import { maxBodyBytesFor } from "../../worker/src/http/body-limit";
import { actorClient, errorCode, spawnSubAgent } from "../support/actors";
import { apiUrl, call, type ErrorBody, mintToken, signUp, stackDb } from "../support/api";
import {
  badConnParams,
  deeplyNested,
  foreignOrMalformedKey,
  garbageActionBody,
  invalidHeaderValue,
  invalidJsonValue,
  invalidMemoryPath,
  invalidQueryValue,
  MALFORMED_JSON,
  nastyText,
  notAUuid,
  RAW_PATH_SEGMENTS,
  WRONG_CONTENT_TYPES,
} from "../support/hostile-values";
import {
  baseType,
  type JsonSchema,
  loadOperations,
  type Operation,
  type PathValue,
  RIVET_CLOSED_ROUTES,
  RIVET_ROUTES,
  type RivetRoute,
  urlFor,
  validExample,
  wellFormed,
} from "../support/openapi-operations";
import { type EventJson, nowSeconds, postStripeWebhook, signStripePayload } from "../support/stripe-webhooks";

/**
 * Hostile input against every operation of the served OpenAPI document and every actor action (issue #12):
 * fuzzed bodies, params, queries and headers (fast-check, fixed seed), oversized bodies, bad and other users'
 * tokens, other users' ids, replayed webhooks. The only answers allowed are documented 4xx in the error shape
 * (never a 5xx, a stack trace or a success for input that must be refused), and no refused request leaves a
 * write behind: every fuzzing user's rows are counted afterwards.
 *
 * Bounded: HOSTILE_RUNS cases per operation and class (default 32), seed HOSTILE_SEED (printed; set it to replay).
 */

const SEED = Number(process.env.HOSTILE_SEED ?? 20_261_126);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 32);
const CONCURRENCY = 6;
console.info(
  `hostile-input: seed ${SEED}, ${RUNS} runs per operation and class (HOSTILE_SEED, HOSTILE_RUNS)`,
);

const { operations } = await loadOperations(apiUrl());

// ---------------------------------------------------------------------------------------------------------------
// Users, rows and fixtures

type User = Awaited<ReturnType<typeof signUp>>;

/** Everything a request can leave behind for a user, row counts per table. */
type Footprint = Record<(typeof FOOTPRINT_TABLES)[number], number>;
const FOOTPRINT_TABLES = [
  "threads",
  "messages",
  "events",
  "sub_agent_actors",
  "opencode_sessions",
  "outbox",
  "memory_entries",
  "billing_customers",
  "subscriptions",
  "usage_records",
  "repos",
  "user_stacks",
] as const;

let db: Database;

async function footprint(userId: string): Promise<Footprint> {
  const result = await db.execute(sql`
    select
      (select count(*) from threads where user_id = ${userId})::int as threads,
      (select count(*) from messages where user_id = ${userId})::int as messages,
      (select count(*) from events where user_id = ${userId})::int as events,
      (select count(*) from actors where user_id = ${userId} and actor_type = 'subAgent')::int as sub_agent_actors,
      (select count(*) from opencode_sessions where user_id = ${userId})::int as opencode_sessions,
      (select count(*) from outbox where user_id = ${userId})::int as outbox,
      (select count(*) from memory_entries where user_id = ${userId})::int as memory_entries,
      (select count(*) from billing_customers where user_id = ${userId})::int as billing_customers,
      (select count(*) from subscriptions where user_id = ${userId})::int as subscriptions,
      (select count(*) from usage_records where user_id = ${userId})::int as usage_records,
      (select count(*) from repos where user_id = ${userId})::int as repos,
      (select count(*) from user_stacks where user_id = ${userId})::int as user_stacks`);
  return result.rows[0] as Footprint;
}

const NOTHING: Footprint = Object.fromEntries(FOOTPRINT_TABLES.map((table) => [table, 0])) as Footprint;

/** Tokens that must all be refused with 401: expired, early, foreign issuer or party, forged, unsigned, confused. */
async function badAuthorizations(username: string): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const valid = await mintToken(username);
  const claims = decodeJwt(valid);
  const { privateKey } = await generateKeyPair("RS256");
  const header = JSON.parse(Buffer.from(valid.split(".")[0] ?? "", "base64url").toString()) as object;
  const forged = await new SignJWT(claims).setProtectedHeader({ ...header, alg: "RS256" }).sign(privateKey);
  const hs256 = await new SignJWT(claims)
    .setProtectedHeader({ ...header, alg: "HS256" })
    .sign(new TextEncoder().encode("the public key is not a secret"));
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const [h, , s] = valid.split(".");
  const tampered = `${h}.${encode({ ...claims, sub: "user_dev_someone-else" })}.${s}`;
  const unsigned = `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
  const tokens = [
    await mintToken(username, { now: now - 7_200, ttlSeconds: 60 }),
    await mintToken(username, { now: now + 3_600 }),
    await mintToken(username, { issuer: "https://evil.example" }),
    await mintToken(username, { azp: "https://evil.example" }),
    forged,
    hs256,
    tampered,
    unsigned,
    `${valid}x`,
    valid.split(".").slice(0, 2).join("."),
  ];
  return [
    ...tokens.map((t) => `Bearer ${t}`),
    "Bearer",
    "Bearer ",
    `Basic ${valid}`,
    `Token ${valid}`,
    valid,
  ];
}

/** A user other users must not be able to touch: a thread, a memory file, a sub-agent actor and a sub-agent row. */
interface Victim extends User {
  threadId: string;
  threadTitle: string;
  memoryPath: string;
  memoryContent: string;
  /** Key and RivetKit actor ids of the victim's actors. */
  subAgentKey: [string, string];
  growAgentActorId: string;
  subAgentActorId: string;
  subAgentActorRowId: string;
  growAgentActorRowId: string;
  subAgentSessionId: string;
  ids: string[];
}

/** The RivetKit id of one of `user`'s actors, found as its owner (RivetKit-serialized key: `a/b`). */
async function actorIdOf(user: User, name: string, key: string): Promise<string> {
  const response = await fetch(`${apiUrl()}/api/rivet/actors?name=${name}&key=${encodeURIComponent(key)}`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  const found = (await response.json()) as { actors: Array<{ actor_id: string }> };
  const id = found.actors[0]?.actor_id;
  if (!id) throw new Error(`${user.username} has no ${name} ${key}: ${JSON.stringify(found)}`);
  return id;
}

/** Every `actors` row of a user (the footprint counts only sub-agents'). */
async function actorRows(userId: string): Promise<number> {
  const result = await db.execute(sql`select count(*)::int as n from actors where user_id = ${userId}`);
  return (result.rows[0] as { n: number }).n;
}

async function makeVictim(): Promise<Victim> {
  const user = await signUp("victim");
  const threadTitle = "victim's private thread";
  const thread = await call("/api/threads", user.token, {
    method: "POST",
    body: JSON.stringify({ title: threadTitle }),
  });
  const threadId = ((await thread.json()) as { id: string }).id;
  const memoryPath = "notes/victim.md";
  const memoryContent = "# victim's private notes\n";
  const write = await call("/api/memory/file", user.token, {
    method: "PUT",
    body: JSON.stringify({ path: memoryPath, content: memoryContent }),
  });
  expect(write.status, await write.clone().text()).toBe(200);
  // Clients cannot create sub-agents: the victim's Grow Agent starts one (dev/model delegates, OpenCode runs it).
  const subAgentId = await spawnSubAgent(apiUrl(), user, "victim's task");
  const actors = (await (await call("/api/actors", user.token)).json()) as {
    items: Array<{ id: string; type: string }>;
  };
  const [session] = await db
    .insert(opencodeSessions)
    .values({ userId: user.id, task: "victim's running sub-agent", status: "running" })
    .returning({ id: opencodeSessions.id });
  const subAgentActorRowId = actors.items.find((a) => a.type === "subAgent")?.id ?? "";
  const growAgentActorRowId = actors.items.find((a) => a.type === "growAgent")?.id ?? "";
  const subAgentSessionId = session?.id ?? "";
  return {
    ...user,
    threadId,
    threadTitle,
    memoryPath,
    memoryContent,
    subAgentKey: [user.id, subAgentId],
    growAgentActorId: await actorIdOf(user, "growAgent", user.id),
    subAgentActorId: await actorIdOf(user, "subAgent", `${user.id}/${subAgentId}`),
    subAgentActorRowId,
    growAgentActorRowId,
    subAgentSessionId,
    ids: [threadId, subAgentActorRowId, growAgentActorRowId, subAgentSessionId],
  };
}

/** What the victim sees of their own account, to compare before and after everyone else's attempts. */
async function victimView(victim: Victim) {
  const get = async (path: string) => {
    const response = await call(path, victim.token);
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const strip = (value: unknown) =>
    JSON.parse(JSON.stringify(value, (key, v) => (key === "lastActiveAt" || key === "durationMs" ? 0 : v)));
  return {
    thread: await get(`/api/threads/${victim.threadId}`),
    threads: await get("/api/threads"),
    messages: await get(`/api/threads/${victim.threadId}/messages`),
    actors: strip((await get("/api/actors")).body),
    subagents: strip((await get("/api/subagents")).body),
    memory: await get(`/api/memory/file?path=${encodeURIComponent(victim.memoryPath)}`),
    rows: await footprint(victim.id),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP cases

type CaseKind =
  | "auth"
  | "path"
  | "query"
  | "header"
  | "body"
  | "content-type"
  | "oversize"
  | "foreign-id"
  | "text"
  | "junk";

interface HttpCase {
  kind: CaseKind;
  note: string;
  /** The Authorization header; undefined sends none. */
  authorization: string | undefined;
  pathValues: Record<string, PathValue>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  /** `contentType: null` sends none (the body as bytes, so fetch adds none either). */
  body?: { text: string; contentType: string | null; chunked?: boolean };
  /** The statuses that are right for this case. */
  expect: readonly number[];
}

interface Outcome {
  status: number;
  text: string;
  requestId: string | null;
}

async function send(operation: Operation, hostile: HttpCase): Promise<Outcome> {
  const headers = new Headers(hostile.headers);
  if (hostile.authorization !== undefined) headers.set("authorization", hostile.authorization);
  let body: BodyInit | undefined;
  if (hostile.body) {
    const bytes = new TextEncoder().encode(hostile.body.text);
    if (hostile.body.contentType !== null) headers.set("content-type", hostile.body.contentType);
    body = hostile.body.chunked
      ? new ReadableStream({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 16_384)
              controller.enqueue(bytes.slice(at, at + 16_384));
            controller.close();
          },
        })
      : bytes;
  }
  const response = await fetch(urlFor(apiUrl(), operation, hostile.pathValues, hostile.query), {
    method: operation.method,
    headers,
    body,
    redirect: "manual",
    ...(hostile.body?.chunked ? { duplex: "half" } : {}),
  } as RequestInit);
  return {
    status: response.status,
    text: await response.text(),
    requestId: response.headers.get("x-request-id"),
  };
}

const STACK_TRACE = /\n\s+at\s|\bat .+:\d+:\d+\)|node_modules|\.ts:\d+/;
const ERROR_CODE = /^[a-z][a-z0-9_]*$/;

/** What is wrong with an answer, or undefined when it is right. */
function problemWith(hostile: HttpCase, outcome: Outcome): string | undefined {
  if (outcome.status >= 500) return "a server error";
  if (STACK_TRACE.test(outcome.text)) return "a stack trace in the body";
  if (outcome.status >= 400) {
    let body: ErrorBody;
    try {
      body = JSON.parse(outcome.text) as ErrorBody;
    } catch {
      return "an error body that is not JSON";
    }
    const error = body?.error;
    if (!error || !ERROR_CODE.test(String(error.code))) return "no error code in the error shape";
    if (typeof error.message !== "string" || error.message.length === 0) return "no error message";
    if (error.requestId !== outcome.requestId) return "an error requestId unlike X-Request-Id";
    const codes = CODES_OF_KIND[hostile.kind];
    if (codes && !codes.includes(error.code)) return `error code not one of ${codes.join("/")}`;
  }
  if (!hostile.expect.includes(outcome.status)) return `not one of ${hostile.expect.join("/")}`;
  return undefined;
}

/** The error codes a kind of case must get, where the kind decides it. */
const CODES_OF_KIND: Partial<Record<CaseKind, readonly string[]>> = {
  auth: ["missing_token", "invalid_token", "token_expired", "token_not_yet_valid"],
  oversize: ["payload_too_large"],
  "content-type": ["unsupported_media_type"],
};

/** Statuses any route may answer besides its documented ones: no such route, wrong method, body too large or not JSON. */
const GLOBAL_STATUSES = [404, 405, 413, 415];

/** A 4xx the operation does not document (nor the API as a whole) is a problem even where the case allows it. */
const undocumented = (operation: Operation, status: number) =>
  status >= 400 && !operation.statuses.includes(status) && !GLOBAL_STATUSES.includes(status);

const describeCase = (operation: Operation, hostile: HttpCase) => {
  const show = (value: unknown) => {
    const text = JSON.stringify(value) ?? "undefined";
    return text.length > 160 ? `${text.slice(0, 160)}…(${text.length})` : text;
  };
  const parts = [`${operation.key} [${hostile.kind}] ${hostile.note}`];
  if (Object.keys(hostile.pathValues).length > 0) parts.push(`path=${show(hostile.pathValues)}`);
  if (hostile.query.length > 0) parts.push(`query=${show(hostile.query)}`);
  if (hostile.body) parts.push(`body=${show(hostile.body.text)} (${hostile.body.contentType})`);
  return parts.join(" ");
};

/** Runs `work` over `items`, `limit` at a time. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

interface RunReport {
  outcomes: Array<{ hostile: HttpCase; outcome: Outcome }>;
  problems: string[];
}

async function runCases(operation: Operation, cases: readonly HttpCase[]): Promise<RunReport> {
  const outcomes = await mapLimit(cases, CONCURRENCY, async (hostile) => ({
    hostile,
    outcome: await send(operation, hostile),
  }));
  const problems: string[] = [];
  for (const { hostile, outcome } of outcomes) {
    const problem =
      problemWith(hostile, outcome) ??
      (undocumented(operation, outcome.status) ? `${outcome.status} is not documented` : undefined);
    if (problem)
      problems.push(
        `${describeCase(operation, hostile)}\n    → ${outcome.status} (${problem}): ${outcome.text.slice(0, 300)}`,
      );
  }
  stats.set(operation.key, [...(stats.get(operation.key) ?? []), ...outcomes.map((o) => o.outcome.status)]);
  return { outcomes, problems };
}

const stats = new Map<string, number[]>();
let seedOffset = 0;
/** `n` cases from `arbitrary`, reproducibly: each call of the file gets its own seed derived from SEED. */
const sample = <T>(arbitrary: fc.Arbitrary<T>, n: number): T[] =>
  fc.sample(arbitrary, { seed: SEED + 7_919 * ++seedOffset, numRuns: n });

// ---------------------------------------------------------------------------------------------------------------
// What each operation is fed

/** Per field name: values the API must refuse, beyond what the schema says (memory paths are validated deeper). */
const DOMAIN_INVALID: Record<string, { values: () => fc.Arbitrary<unknown>; expect: readonly number[] }> = {
  path: { values: invalidMemoryPath, expect: [400] },
  prefix: { values: invalidMemoryPath, expect: [400] },
  content: {
    values: () =>
      fc.oneof(
        nastyText(200).map((text) => `${text}\u0000`),
        fc.integer({ min: 256 * 1024 + 1, max: 300 * 1024 }).map((n) => "m".repeat(n)),
      ),
    expect: [400, 413],
  },
};

/** Ops whose success writes rows: how many a run of `n` successes adds (checked exactly). */
const WRITES_ON_SUCCESS: Record<string, (n: number) => Partial<Footprint>> = {
  "POST /threads": (n) => ({ threads: n }),
  // The first write bootstraps the user's repository (one `repos` row).
  "PUT /memory/file": (n) => ({ outbox: n, repos: n > 0 ? 1 : 0 }),
};

const pathParams = (op: Operation) => op.parameters.filter((p) => p.in === "path");
const queryParams = (op: Operation) => op.parameters.filter((p) => p.in === "query");
const headerParams = (op: Operation) => op.parameters.filter((p) => p.in === "header");
const hasInput = (op: Operation) => op.parameters.length > 0 || op.body !== undefined;
const isWebhook = (op: Operation) => op.path.startsWith("/webhooks/");

/** A request the operation accepts (for the given user), which a case then breaks in exactly one way. */
function baseCase(op: Operation, token: string, ids: Record<string, string> = {}): HttpCase {
  const pathValues: Record<string, PathValue> = {};
  for (const p of pathParams(op)) pathValues[p.name] = ids[p.name] ?? String(validExample(p.schema));
  const query: Array<[string, string]> = queryParams(op)
    .filter((p) => p.required)
    .map((p) => [p.name, String(validExample(p.schema))]);
  return {
    kind: "junk",
    note: "",
    authorization: `Bearer ${token}`,
    pathValues,
    query,
    headers: {},
    body: op.body
      ? { text: JSON.stringify(validExample(op.body.schema)), contentType: "application/json" }
      : undefined,
    expect: [],
  };
}

/** Noise that must change nothing: unknown query parameters, a hostile X-Request-Id. */
function withNoise(op: Operation, base: HttpCase): fc.Arbitrary<HttpCase> {
  const declared = new Set(op.parameters.map((p) => p.name));
  return fc
    .record({
      extra: fc.array(
        fc.tuple(
          fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }).filter((k) => !declared.has(k)),
          nastyText(30),
        ),
        { maxLength: 2 },
      ),
      requestId: fc.option(fc.string({ unit: "grapheme-ascii", maxLength: 140 }), { nil: undefined }),
    })
    .map(({ extra, requestId }) => ({
      ...base,
      query: [...base.query, ...extra],
      headers: requestId?.trim() ? { ...base.headers, "x-request-id": requestId.trim() } : base.headers,
    }));
}

/** Cases that must be refused: each breaks one thing in an otherwise valid request. */
function refusedCases(op: Operation, user: User, badAuth: readonly string[]): fc.Arbitrary<HttpCase> {
  const base = baseCase(op, user.token, { id: crypto.randomUUID() });
  const options: fc.Arbitrary<HttpCase>[] = [];
  if (op.secured) {
    options.push(
      fc
        .oneof(
          fc.constantFrom(...badAuth),
          fc.constant(undefined),
          fc.string({ unit: "grapheme-ascii", maxLength: 300 }).map((s) => `Bearer ${s}`),
          fc.integer({ min: 8_000, max: 16_000 }).map((n) => `Bearer ${"a".repeat(n)}`),
        )
        .map((authorization) => ({ ...base, kind: "auth", note: "bad token", authorization, expect: [401] })),
    );
  }
  for (const p of pathParams(op)) {
    options.push(
      fc
        .oneof(
          { weight: 4, arbitrary: notAUuid() as fc.Arbitrary<PathValue> },
          {
            weight: 1,
            arbitrary: fc.constantFrom(...RAW_PATH_SEGMENTS).map((raw): PathValue => ({ raw })),
          },
        )
        .map((value) => ({
          ...base,
          kind: "path",
          note: `${p.name} not a uuid`,
          pathValues: { ...base.pathValues, [p.name]: value },
          expect: [400],
        })),
    );
  }
  for (const p of queryParams(op)) {
    const domain = DOMAIN_INVALID[p.name];
    const invalid = invalidQueryValue(p.schema);
    const values = [domain?.values() as fc.Arbitrary<string> | undefined, invalid].filter(
      (v): v is fc.Arbitrary<string> => v !== undefined,
    );
    const others = base.query.filter(([name]) => name !== p.name);
    if (values.length > 0) {
      options.push(
        fc.oneof(...values).map((value) => ({
          ...base,
          kind: "query",
          note: `${p.name} invalid`,
          query: [...others, [p.name, value] as [string, string]],
          expect: [400],
        })),
      );
    }
    options.push(
      fc.tuple(nastyText(20), nastyText(20)).map(([a, b]) => ({
        ...base,
        kind: "query",
        note: `${p.name} repeated`,
        query: [...others, [p.name, a] as [string, string], [p.name, b] as [string, string]],
        expect: [400],
      })),
    );
    if (p.required) {
      options.push(
        fc.constant({ ...base, kind: "query", note: `${p.name} missing`, query: others, expect: [400] }),
      );
    }
  }
  for (const p of headerParams(op)) {
    const invalid = invalidHeaderValue(p.schema);
    if (!invalid) continue;
    options.push(
      invalid.map((value) => ({
        ...base,
        kind: "header",
        note: `${p.name} invalid`,
        headers: { ...base.headers, [p.name]: value },
        expect: [400],
      })),
    );
  }
  if (op.body) options.push(...bodyCases(op, base));
  if (options.length === 0) throw new Error(`${op.key}: nothing to refuse`);
  return fc.oneof(...options).chain((hostile) => withNoise(op, hostile));
}

function bodyCases(op: Operation, base: HttpCase): fc.Arbitrary<HttpCase>[] {
  const schema = op.body?.schema as JsonSchema;
  const valid = validExample(schema) as Record<string, unknown>;
  const limit = maxBodyBytesFor(`/api${op.path}`);
  // Whatever else is wrong with it, a body over the limit is refused for its size first.
  const bySize = (text: string, statuses: readonly number[]) =>
    Buffer.byteLength(text) > limit ? [413] : statuses;
  const raw = (kind: CaseKind, note: string, expectStatuses: readonly number[]) => (text: string) => ({
    ...base,
    kind,
    note,
    body: { text, contentType: "application/json" },
    expect: bySize(text, expectStatuses),
  });
  const json = (note: string, expectStatuses: readonly number[]) => (value: unknown) =>
    raw("body", note, expectStatuses)(JSON.stringify(value) ?? "null");
  const cases: fc.Arbitrary<HttpCase>[] = [
    invalidJsonValue(schema).map(json("not the body's type", [400])),
    fc.constantFrom(...MALFORMED_JSON).map(raw("body", "malformed JSON", [400])),
    fc
      .tuple(fc.integer({ min: 64, max: 30_000 }), fc.constantFrom("array" as const, "object" as const))
      .map(([depth, kind]) => deeplyNested(depth, kind))
      .map(raw("body", "deeply nested", [400])),
    fc.tuple(fc.constantFrom(...WRONG_CONTENT_TYPES, null), fc.boolean()).map(([contentType, keep]) => ({
      ...base,
      kind: "content-type" as const,
      note: `content type ${contentType}`,
      body: { text: keep ? (base.body?.text ?? "{}") : "title=x&plan=pro", contentType },
      expect: [415],
    })),
    fc.tuple(fc.integer({ min: limit + 1, max: limit + 64 * 1024 }), fc.boolean()).map(([size, chunked]) => ({
      ...base,
      kind: "oversize" as const,
      note: `${size} bytes${chunked ? ", chunked" : ""}`,
      body: {
        text: JSON.stringify({ ...valid, pad: "p".repeat(size) }),
        contentType: "application/json",
        chunked,
      },
      expect: [413],
    })),
  ];
  if (schema.additionalProperties === false) {
    cases.push(
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom(
              "__proto__",
              "constructor",
              "prototype",
              "userId",
              "user_id",
              "owner",
              "id",
              "role",
            ),
            fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
          ),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .filter(([key]) => !(key in (schema.properties ?? {})))
        .map(
          ([key, value]) =>
            `{${JSON.stringify(valid).slice(1, -1)}${Object.keys(valid).length ? "," : ""}${JSON.stringify(key)}:${JSON.stringify(value)}}`,
        )
        .map(raw("body", "an extra field", [400])),
    );
  }
  for (const name of schema.required ?? []) {
    const { [name]: _, ...rest } = valid;
    cases.push(fc.constant(json(`${name} missing`, [400])(rest)));
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const domain = DOMAIN_INVALID[name];
    const values = fc.oneof(
      invalidJsonValue(property),
      ...(domain && baseType(property) === "string" ? [domain.values()] : []),
    );
    // A domain value (e.g. memory content over 256 KiB) may be refused as too large.
    const statuses = domain ? [400, ...domain.expect] : [400];
    cases.push(values.map((value) => json(`${name} invalid`, statuses)({ ...valid, [name]: value })));
  }
  return cases;
}

const isText = (schema: JsonSchema) =>
  baseType(schema) === "string" && !schema.enum && !schema.format && !schema.pattern;

/** The free-text fields of an operation (query strings and body properties without a format, enum or pattern). */
function textFields(op: Operation) {
  return {
    query: queryParams(op).filter((p) => isText(p.schema)),
    body: Object.entries(op.body?.schema.properties ?? {}).filter(([, s]) => isText(s)),
  };
}

const hasTextFields = (op: Operation) => {
  const fields = textFields(op);
  return fields.query.length + fields.body.length > 0;
};

/** Hostile text inside every documented limit: these may succeed, but must never fail the server. */
function textCases(op: Operation, user: User, ownThreadId: string): fc.Arbitrary<HttpCase> {
  const { query: queryFields, body: bodyFields } = textFields(op);
  // The caller's own thread where reading or renaming it is harmless; elsewhere a thread nobody has.
  const ownId = op.path.startsWith("/threads/{id}") && (op.method === "GET" || op.method === "PATCH");
  const base = baseCase(op, user.token, { id: ownId ? ownThreadId : crypto.randomUUID() });
  const required = new Set(op.body?.schema.required ?? []);
  const text = (schema: JsonSchema) => nastyText(schema.maxLength ?? 2_000, schema.minLength ?? 0);
  const expectStatuses = [
    ...new Set([...op.statuses.filter((s) => s < 500 && s !== 401 && s !== 429), 400, 404, 413]),
  ];
  return fc
    .record({
      query: fc.tuple(...queryFields.map((p) => fc.option(text(p.schema), { nil: undefined }))),
      body: fc.tuple(
        ...bodyFields.map(([name, s]) =>
          required.has(name) ? text(s) : fc.option(text(s), { nil: undefined }),
        ),
      ),
    })
    .map(({ query, body }) => {
      const pairs: Array<[string, string]> = base.query.filter(
        ([n]) => !queryFields.some((p) => p.name === n),
      );
      queryFields.forEach((p, i) => {
        const value = query[i];
        if (value !== undefined) pairs.push([p.name, value]);
        else if (p.required) pairs.push([p.name, String(validExample(p.schema))]);
      });
      const object: Record<string, unknown> = op.body ? { ...(validExample(op.body.schema) as object) } : {};
      bodyFields.forEach(([name], i) => {
        if (body[i] === undefined) delete object[name];
        else object[name] = body[i];
      });
      return {
        ...base,
        kind: "text" as const,
        note: "hostile text within the limits",
        query: pairs,
        body: op.body ? { text: JSON.stringify(object), contentType: "application/json" } : undefined,
        expect: expectStatuses,
      };
    });
}

/** Another user's ids (and ids nobody has), with a valid token: always 404, never their data. */
const uuidPathParams = (op: Operation) => pathParams(op).filter((p) => p.schema.format === "uuid");

function foreignIdCases(op: Operation, intruder: User, victim: Victim): fc.Arbitrary<HttpCase> {
  const uuidParams = uuidPathParams(op);
  const base = baseCase(op, intruder.token);
  return fc
    .tuple(...uuidParams.map(() => fc.oneof(fc.constantFrom(...victim.ids), fc.uuid({ version: [4, 7] }))))
    .map((values) => ({
      ...base,
      kind: "foreign-id" as const,
      note: "another user's id",
      pathValues: Object.fromEntries(uuidParams.map((p, i) => [p.name, values[i] as string])),
      expect: [404],
    }));
}

/** Open endpoints without input (health, version): junk query and headers change nothing. */
function junkCases(op: Operation): fc.Arbitrary<HttpCase> {
  return withNoise(op, {
    ...baseCase(op, ""),
    authorization: undefined,
    kind: "junk",
    note: "junk",
    expect: [200],
  });
}

// ---------------------------------------------------------------------------------------------------------------

let victim: Victim;
let victimBefore: Awaited<ReturnType<typeof victimView>>;
let intruder: User;
let badAuth: string[];

/** A user fuzzing their own actors (hostile arguments, garbage action bodies), with a sub-agent of their own. */
let owner: User & { subAgentId: string };

beforeAll(async () => {
  db = stackDb();
  const makeOwner = async () => {
    const user = await signUp("actorfuzz");
    return { ...user, subAgentId: await spawnSubAgent(apiUrl(), user, "own task") };
  };
  [victim, owner] = await Promise.all([makeVictim(), makeOwner()]);
  victimBefore = await victimView(victim);
  intruder = await signUp("intruder");
  badAuth = await badAuthorizations(intruder.username);
}, 240_000);

afterAll(() => db?.$client.end());

describe("hostile input over every operation of the OpenAPI document", () => {
  const started = Date.now();

  afterAll(() => {
    const rows = [...stats].map(([key, statuses]) => {
      const counts = new Map<number, number>();
      for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
      const spread = [...counts].map(([s, n]) => `${s}×${n}`).join(" ");
      return `  ${key.padEnd(32)} ${String(statuses.length).padStart(4)}  ${spread}`;
    });
    const total = [...stats.values()].reduce((n, s) => n + s.length, 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.info(
      `hostile-input: ${total} HTTP cases over ${stats.size} operations in ${seconds} s (seed ${SEED})\n${rows.join("\n")}`,
    );
  });

  it("knows every operation (the document lists the API's routes)", () => {
    expect(operations.length).toBeGreaterThan(20);
    const keys = operations.map((op) => op.key);
    for (const key of [
      "POST /threads",
      "PUT /memory/file",
      "POST /webhooks/stripe",
      "POST /subagents/{id}/cancel",
    ])
      expect(keys).toContain(key);
  });

  for (const op of operations) {
    if (isWebhook(op)) continue; // signed by Stripe, not by a user: see "Stripe webhooks" below.

    if (!op.secured && !hasInput(op)) {
      it(`${op.key}: junk query and headers`, async () => {
        const { problems } = await runCases(op, sample(junkCases(op), Math.ceil(RUNS / 4)));
        expect(problems, problems.join("\n")).toEqual([]);
      });
      continue;
    }

    it(`${op.key}: refuses broken requests with a documented 4xx and writes nothing`, async () => {
      const user = await signUp("fuzz");
      const { problems } = await runCases(op, sample(refusedCases(op, user, badAuth), RUNS));
      expect(problems, problems.join("\n")).toEqual([]);
      expect(await footprint(user.id)).toEqual(NOTHING);
    });

    if (uuidPathParams(op).length > 0) {
      it(`${op.key}: other users' ids are 404`, async () => {
        const arbitrary = foreignIdCases(op, intruder, victim);
        const { problems } = await runCases(op, sample(arbitrary, Math.ceil(RUNS / 3)));
        expect(problems, problems.join("\n")).toEqual([]);
      });
    }

    if (hasTextFields(op)) {
      it(`${op.key}: hostile text inside the limits never fails the server`, async () => {
        const user = await signUp("text");
        const created = await call("/api/threads", user.token, { method: "POST", body: "{}" });
        const ownThreadId = ((await created.json()) as { id: string }).id;
        const before = await footprint(user.id);
        const { outcomes, problems } = await runCases(op, sample(textCases(op, user, ownThreadId), RUNS));
        expect(problems, problems.join("\n")).toEqual([]);
        const successes = outcomes.filter((o) => o.outcome.status < 300).length;
        const expected = { ...before };
        for (const [table, n] of Object.entries(WRITES_ON_SUCCESS[op.key]?.(successes) ?? {}))
          expected[table as keyof Footprint] += n;
        expect(await footprint(user.id)).toEqual(expected);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Actors

/** How actors refuse a caller: RivetKit user errors (and its own not-found and size limits), never internal ones. */
const REFUSED_CONNECTION = [
  "missing_token",
  "invalid_token",
  "token_expired",
  "token_not_yet_valid",
  "forbidden",
  "unauthorized",
  "not_found",
  "incoming_too_long",
  "idempotency_key_reused",
  "memory_write_failed",
];
const REFUSED_ARGUMENT = [
  "thread_not_found",
  "message_empty",
  "message_too_long",
  "allowance_exceeded",
  "invalid_path",
  "path_too_long",
  "forbidden_path",
  "invalid_content",
  "content_too_large",
  "forbidden",
  "incoming_too_long",
  "idempotency_key_reused",
  "memory_write_failed",
];

type ActorCall = (...args: unknown[]) => Promise<unknown>;
const actionOf = (handle: unknown, name: string) => (handle as Record<string, ActorCall>)[name] as ActorCall;

const GROW_AGENT_ACTIONS = [
  "whoami",
  "ping",
  "sendMessage",
  "cancel",
  "threadStatus",
  "commitMemory",
  "drainMemory",
  "relaySubAgentEvents",
  "subAgentFinished",
  "model",
] as const;
const SUB_AGENT_ACTIONS = ["describe", "start", "cancel", "stop"] as const;

interface ActorOutcome {
  ok: boolean;
  code?: string;
  group?: string;
  message?: string;
  value?: unknown;
}

async function attempt(work: () => Promise<unknown>): Promise<ActorOutcome> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const { group, message } = error as { group?: string; message?: string };
    return { ok: false, code: errorCode(error), group, message };
  }
}

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…(${text.length})` : text;
};

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
          .tuple(fc.constantFrom("relaySubAgentEvents", "subAgentFinished"), junk)
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
      const internalOnly = ["relaySubAgentEvents", "subAgentFinished", "start"];
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

// ---------------------------------------------------------------------------------------------------------------
// RivetKit's manager routes (`/api/rivet/*`)

/** How the guard in front of RivetKit refuses (worker/src/actors/manager-guard.ts), RivetKit's error codes. */
const RIVET_AUTH_CODES = [
  "missing_token",
  "invalid_token",
  "token_expired",
  "token_not_yet_valid",
  "forbidden",
];
const RIVET_CODES_OF_KIND: Record<RivetCase["kind"], readonly string[]> = {
  auth: RIVET_AUTH_CODES,
  foreign: ["forbidden", "not_found"],
  key: ["forbidden", "invalid_request"],
  // Manager calls: the API's code; actions: RivetKit's own for a message past maxIncomingMessageSize.
  oversize: ["payload_too_large", "incoming_too_long"],
  garbage: ["invalid_request", "invalid_encoding"],
  "action-name": ["not_found", "forbidden", "action_not_found", "invalid_request"],
  offer: ["invalid_request"],
};

interface RivetCase {
  kind: "auth" | "foreign" | "key" | "oversize" | "garbage" | "action-name" | "offer";
  note: string;
  route: RivetRoute;
  /** The Authorization header (manager calls); undefined sends none. */
  authorization?: string;
  /** Connection params (x-rivet-conn-params or the WebSocket sub-protocol); undefined sends none. */
  params?: unknown;
  name?: string;
  key?: string;
  actorId?: string;
  action?: string;
  body?: { bytes: Uint8Array; contentType?: string; encoding?: string; chunked?: boolean };
  /** WebSocket offer override (sub-protocols). */
  protocols?: readonly string[];
  expect: readonly number[];
}

interface RivetOutcome {
  status: number;
  text: string;
  /** A WebSocket's close reason, and how many messages came before it. */
  closeReason?: string;
  messages?: number;
}

const rivetUrl = (path: string) => `${apiUrl()}/api/rivet${path}`;
const encodeText = (text: string) => new TextEncoder().encode(text);

function actorRequestBody(name: string | undefined, key: string | undefined): Uint8Array {
  return encodeText(JSON.stringify({ name, key, runner_name_selector: "default", crash_policy: "sleep" }));
}

async function sendRivet(c: RivetCase): Promise<RivetOutcome> {
  if (c.route.webSocket) return openRivetSocket(c);
  const headers = new Headers();
  if (c.authorization !== undefined) headers.set("authorization", c.authorization);
  if (c.params !== undefined) headers.set("x-rivet-conn-params", JSON.stringify(c.params));
  let url: string;
  let body: Uint8Array | undefined;
  if (c.route.target === "query") {
    url = rivetUrl(`/actors?name=${encodeURIComponent(c.name ?? "")}&key=${encodeURIComponent(c.key ?? "")}`);
  } else if (c.route.target === "body") {
    url = rivetUrl("/actors");
    body = c.body?.bytes ?? actorRequestBody(c.name, c.key);
    headers.set("content-type", c.body?.contentType ?? "application/json");
  } else {
    url = rivetUrl(
      `/gateway/${encodeURIComponent(c.actorId ?? "")}/action/${encodeURIComponent(c.action ?? "")}`,
    );
    body = c.body?.bytes ?? encodeText('{"args":[]}');
    const encoding = c.body ? c.body.encoding : "json";
    if (encoding !== undefined) headers.set("x-rivet-encoding", encoding);
    if (c.body?.contentType) headers.set("content-type", c.body.contentType);
  }
  const chunks = body;
  const response = await fetch(url, {
    method: c.route.method,
    headers,
    body:
      chunks && c.body?.chunked
        ? new ReadableStream({
            start(controller) {
              for (let at = 0; at < chunks.length; at += 16_384)
                controller.enqueue(chunks.slice(at, at + 16_384));
              controller.close();
            },
          })
        : chunks,
    ...(c.body?.chunked ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: response.status, text: await response.text() };
}

/** A WebSocket as RivetKit's client opens it: refused ones are closed at once with `group.code`. */
function openRivetSocket(c: RivetCase): Promise<RivetOutcome> {
  const protocols = [...(c.protocols ?? ["rivet", "rivet_encoding.json"])];
  // As RivetKit's client encodes them, plus the few characters encodeURIComponent keeps that a sub-protocol may not
  // contain; the server decodes them back to the same params.
  const encodeParams = (params: unknown) =>
    encodeURIComponent(JSON.stringify(params)).replace(
      /[!'()*]/g,
      (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  if (!c.protocols && c.params !== undefined) protocols.push(`rivet_conn_params.${encodeParams(c.params)}`);
  const url = rivetUrl(`/gateway/${encodeURIComponent(c.actorId ?? "")}/connect`).replace(/^http/, "ws");
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols);
    let messages = 0;
    const done = (outcome: RivetOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      done({ status: 101, text: "", closeReason: "still open after 10 s", messages });
      socket.terminate();
    }, 10_000);
    socket.on("message", () => {
      messages++;
    });
    socket.on("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on("end", () => done({ status: response.statusCode ?? 0, text }));
    });
    socket.on("close", (_code, reason) =>
      done({ status: 101, text: "", closeReason: reason.toString(), messages }),
    );
    socket.on("error", () => {});
  });
}

/** What is wrong with the answer to a case that must be refused (or, for own calls, may succeed). */
function rivetProblem(c: RivetCase, outcome: RivetOutcome): string | undefined {
  if (outcome.status >= 500) return "a server error";
  if (STACK_TRACE.test(outcome.text)) return "a stack trace in the body";
  if (outcome.status === 101) {
    if (!c.expect.includes(101)) return "a WebSocket that was accepted";
    if (outcome.messages !== 0) return `${outcome.messages} messages on a refused connection`;
    const [group, code] = (outcome.closeReason ?? "").split(".");
    if (!group || !code) return `closed without a RivetKit reason (${outcome.closeReason})`;
    if (!RIVET_CODES_OF_KIND[c.kind].includes(code)) return `close reason ${outcome.closeReason}`;
    return undefined;
  }
  if (!c.expect.includes(outcome.status)) return `not one of ${c.expect.join("/")}`;
  if (outcome.status < 300) return undefined;
  let error: { group?: unknown; code?: unknown; message?: unknown };
  try {
    error = JSON.parse(outcome.text) as typeof error;
  } catch {
    return "an error body that is not JSON";
  }
  if (typeof error.group !== "string" || typeof error.code !== "string" || typeof error.message !== "string")
    return "not RivetKit's error shape";
  if (!RIVET_CODES_OF_KIND[c.kind].includes(error.code)) return `error code ${error.group}.${error.code}`;
  return undefined;
}

const showRivetCase = (c: RivetCase) => {
  const cut = (value: unknown) => {
    const text = JSON.stringify(value) ?? "undefined";
    return text.length > 120 ? `${text.slice(0, 120)}…(${text.length})` : text;
  };
  const parts = [`${c.route.key} [${c.kind}] ${c.note}`];
  if (c.authorization !== undefined) parts.push(`authorization=${cut(c.authorization)}`);
  if (c.params !== undefined) parts.push(`params=${cut(c.params)}`);
  if (c.name !== undefined || c.key !== undefined) parts.push(`name=${cut(c.name)} key=${cut(c.key)}`);
  if (c.actorId !== undefined) parts.push(`actor=${c.actorId.slice(0, 12)}… action=${cut(c.action)}`);
  if (c.body) parts.push(`body=${c.body.bytes.length} bytes (${c.body.encoding ?? c.body.contentType})`);
  return parts.join(" ");
};

/** An actor id of the right form that no actor has (ids carry a MAC: this one is not of the namespace). */
const unknownActorId = fc
  .array(fc.integer({ min: 0, max: 15 }), { minLength: 64, maxLength: 64 })
  .map((digits) => `${digits.map((d) => d.toString(16)).join("")}:0`);

/**
 * Cases for one route. `fuzzer` has no actor and must end with none; `owner` owns a Grow Agent (for the bodies of
 * action calls, which are read only once the caller is known to own the actor).
 */
function rivetCases(route: RivetRoute, fuzzer: User, owner: User & { growAgentActorId: string }) {
  const rawBadTokens = badAuth.filter((h) => h.startsWith("Bearer ")).map((h) => h.slice("Bearer ".length));
  const badParams = badConnParams(rawBadTokens, [fuzzer.id, victim.id]);
  const victimKeys = fc.constantFrom(
    ["growAgent", victim.id],
    ["subAgent", victim.subAgentKey.join("/")],
    ["subAgent", `${victim.id}/planted`],
  );
  const victimActorIds = fc.constantFrom(victim.growAgentActorId, victim.subAgentActorId);
  const options: fc.Arbitrary<RivetCase>[] = [];
  const base = { route, expect: [] as readonly number[] };

  if (route.credentials === "bearer") {
    // Bad credentials, against the fuzzer's own key (which would be created if they were accepted).
    options.push(
      fc
        .oneof(
          fc.constantFrom(...badAuth).map((authorization) => ({ authorization, params: undefined })),
          fc.constant({ authorization: undefined, params: undefined }),
          badParams.map((params) => ({ authorization: undefined, params })),
          fc
            .string({ unit: "grapheme-ascii", maxLength: 300 })
            .map((s) => ({ authorization: `Bearer ${s}`, params: undefined })),
        )
        .map(({ authorization, params }) => ({
          ...base,
          kind: "auth" as const,
          note: "bad credentials",
          authorization,
          params,
          name: "growAgent",
          key: fuzzer.id,
          expect: [401, 403],
        })),
    );
    // A valid token, on another user's keys or keys nobody may use.
    options.push(
      fc
        .oneof(
          victimKeys,
          fc.tuple(
            fc.oneof(
              fc.constantFrom("growAgent", "subAgent"),
              nastyText(20).map((n) => n.replace(/[\ud800-\udfff]/g, "x")),
            ),
            foreignOrMalformedKey(fuzzer.id, victim.id),
          ),
        )
        .filter(([name, key]) => !(name === "growAgent" && key === fuzzer.id))
        .map(([name, key]) => ({
          ...base,
          kind: "key" as const,
          note: "a key that is not the caller's",
          authorization: `Bearer ${fuzzer.token}`,
          name,
          key,
          // The caller's own sub-agent key may be looked up (it finds nothing); never created.
          expect: route.target === "query" && key.startsWith(`${fuzzer.id}/`) ? [200, 403] : [400, 403],
        })),
    );
  } else {
    const target = fc.oneof(victimActorIds, unknownActorId);
    options.push(
      fc.tuple(badParams, target).map(([params, actorId]) => ({
        ...base,
        kind: "auth" as const,
        note: "bad connection params",
        params,
        actorId,
        action: "whoami",
        expect: route.webSocket ? [101] : [401, 403],
      })),
      fc
        .tuple(victimActorIds, fc.constantFrom("whoami", "describe", "sendMessage", "ping", "stop"))
        .map(([actorId, action]) => ({
          ...base,
          kind: "foreign" as const,
          note: "another user's actor",
          params: { token: fuzzer.token },
          actorId,
          action,
          expect: route.webSocket ? [101] : [403],
        })),
      unknownActorId.map((actorId) => ({
        ...base,
        kind: "foreign" as const,
        note: "an actor nobody has",
        params: { token: fuzzer.token },
        actorId,
        action: "whoami",
        expect: route.webSocket ? [101] : [404],
      })),
    );
  }

  if (route.maxBodyBytes !== undefined) {
    const max = route.maxBodyBytes;
    const oversized = fc.tuple(fc.integer({ min: max + 1, max: Math.ceil(max * 1.25) }), fc.boolean());
    options.push(
      oversized.map(([size, chunked]) => ({
        ...base,
        kind: "oversize" as const,
        note: `${size} bytes${chunked ? ", chunked" : ""}`,
        ...(route.credentials === "bearer"
          ? { authorization: `Bearer ${fuzzer.token}`, name: "growAgent", key: fuzzer.id }
          : { params: { token: owner.token }, actorId: owner.growAgentActorId, action: "ping" }),
        body: {
          bytes: encodeText(
            route.credentials === "bearer"
              ? JSON.stringify({ name: "growAgent", key: fuzzer.id, pad: "p".repeat(size) })
              : JSON.stringify({ args: ["p".repeat(size)] }),
          ),
          encoding: "json",
          contentType: "application/json",
          chunked,
        },
        expect: [413],
      })),
    );
    if (route.credentials === "bearer") {
      options.push(
        fc
          .oneof(
            fc.constantFrom(...MALFORMED_JSON).map((text) => ({ text, contentType: "application/json" })),
            invalidJsonValue({ type: "object" }).map((value) => ({
              text: JSON.stringify(value),
              contentType: "application/json",
            })),
            fc.record({
              text: fc.constant(JSON.stringify({ name: "growAgent", key: fuzzer.id, input: "oWF4AQ==" })),
              contentType: fc.constantFrom(...WRONG_CONTENT_TYPES),
            }),
            fc
              .record({ name: fc.jsonValue({ maxDepth: 1 }), key: fc.jsonValue({ maxDepth: 1 }) })
              .map((v) => ({
                text: JSON.stringify(v),
                contentType: "application/json",
              })),
          )
          .map(({ text, contentType }) => ({
            ...base,
            kind: "garbage" as const,
            note: "a body that is no actor request of the caller's",
            authorization: `Bearer ${fuzzer.token}`,
            body: { bytes: encodeText(text), contentType },
            // Some are well-formed requests for keys that are not the caller's: refused as such.
            expect: [400, 403],
          })),
      );
    } else {
      options.push(
        garbageActionBody().map(({ bytes, encoding }) => ({
          ...base,
          kind: "garbage" as const,
          note: "an action body in no encoding",
          params: { token: owner.token },
          actorId: owner.growAgentActorId,
          action: "whoami",
          body: { bytes, encoding },
          // A body that happens to be valid runs `whoami` (read-only).
          expect: [200, 400],
        })),
        fc
          .constantFrom(
            "nope",
            "toString",
            "constructor",
            "__proto__",
            "hasOwnProperty",
            "relaySubAgentEvents",
            "subAgentFinished",
            "a".repeat(65),
            "x-y",
            "%2e%2e",
          )
          .map((action) => ({
            ...base,
            kind: "action-name" as const,
            note: "an action the client may not call",
            params: { token: owner.token },
            actorId: owner.growAgentActorId,
            action,
            expect: [400, 403, 404],
          })),
      );
    }
  }
  if (route.webSocket) {
    options.push(
      fc
        .constantFrom(
          ["chat"],
          ["rivet", "rivet_encoding.xml"],
          ["rivet", "rivet_conn_params.%7Bnope"],
          ["rivet", `rivet_conn_params.${"%E0%A4%A"}`],
          ["rivet_encoding.json"],
        )
        .map((protocols) => ({
          ...base,
          kind: "offer" as const,
          note: "not a RivetKit offer",
          protocols,
          actorId: owner.growAgentActorId,
          expect: [400],
        })),
    );
  }
  return fc.oneof(...options);
}

describe("RivetKit's manager routes (/api/rivet): credentials, keys, bodies, encodings", () => {
  const rivetStats = new Map<string, number[]>();
  afterAll(() => {
    const rows = [...rivetStats].map(([key, statuses]) => {
      const counts = new Map<number, number>();
      for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
      const spread = [...counts].map(([status, n]) => `${status}×${n}`).join(" ");
      return `  ${key.padEnd(44)} ${String(statuses.length).padStart(4)}  ${spread}`;
    });
    console.info(`hostile-input: RivetKit routes\n${rows.join("\n")}`);
  });

  for (const route of RIVET_ROUTES) {
    it(`${route.key}: refuses strangers, bad tokens, other users' keys, oversized and garbage bodies; creates nothing`, async () => {
      // Each route its own users: the valid-token cases stay within one user's rate limit.
      const fuzzer = await signUp("rivetfuzz");
      const ownerUser = await signUp("rivetowner");
      const ownerActor = await fetch(rivetUrl("/actors"), {
        method: "PUT",
        headers: { authorization: `Bearer ${ownerUser.token}`, "content-type": "application/json" },
        body: actorRequestBody("growAgent", ownerUser.id),
      });
      expect(ownerActor.status).toBe(200);
      const rivetOwner = {
        ...ownerUser,
        growAgentActorId: await actorIdOf(ownerUser, "growAgent", ownerUser.id),
      };
      // One call of their own first: an actor is listed in `actors` on its first connection.
      await actorClient(apiUrl(), ownerUser.token)
        .growAgent.getForId(rivetOwner.growAgentActorId, { params: { token: ownerUser.token } })
        .whoami();
      const ownerBefore = { rows: await footprint(ownerUser.id), actors: await actorRows(ownerUser.id) };

      const cases = sample(rivetCases(route, fuzzer, rivetOwner), RUNS * 2);
      const outcomes = await mapLimit(cases, route.webSocket ? 3 : CONCURRENCY, async (c) => ({
        c,
        outcome: await sendRivet(c),
      }));
      rivetStats.set(
        route.key,
        outcomes.map((o) => o.outcome.status),
      );
      const problems = outcomes
        .map(({ c, outcome }) => {
          const problem = rivetProblem(c, outcome);
          return (
            problem &&
            `${showRivetCase(c)}\n    → ${outcome.status} ${outcome.closeReason ?? ""} (${problem}): ${outcome.text.slice(0, 300)}`
          );
        })
        .filter((p): p is string => p !== undefined);
      expect(problems, problems.join("\n")).toEqual([]);

      // Nothing was created: the fuzzer has no actor (not even under their own key), the owner nothing new, and
      // the victim's lookups find no actor planted under their keys.
      expect(await footprint(fuzzer.id)).toEqual(NOTHING);
      expect(await actorRows(fuzzer.id)).toBe(0);
      const fuzzerOwn = await fetch(rivetUrl(`/actors?name=growAgent&key=${fuzzer.id}`), {
        headers: { authorization: `Bearer ${fuzzer.token}` },
      });
      expect(await fuzzerOwn.json()).toEqual({ actors: [] });
      expect({ rows: await footprint(ownerUser.id), actors: await actorRows(ownerUser.id) }).toEqual(
        ownerBefore,
      );
      const planted = await fetch(rivetUrl(`/actors?name=subAgent&key=${victim.id}/planted`), {
        headers: { authorization: `Bearer ${victim.token}` },
      });
      expect(await planted.json()).toEqual({ actors: [] });
    });
  }

  it("routes no client needs (KV, listing, inspector, raw requests, test routes) answer 404 to anyone", async () => {
    const tokens = [undefined, intruder.token, victim.token];
    const problems: string[] = [];
    for (const [method, template] of RIVET_CLOSED_ROUTES) {
      for (const actorId of [victim.growAgentActorId, victim.subAgentActorId]) {
        const path = template
          .replaceAll("{id}", encodeURIComponent(actorId))
          .replaceAll("{kvKey}", encodeURIComponent(btoa("persist")));
        for (const token of tokens) {
          const response = await fetch(rivetUrl(path), {
            method,
            headers: token
              ? { authorization: `Bearer ${token}`, "x-rivet-conn-params": JSON.stringify({ token }) }
              : {},
          });
          const text = await response.text();
          if (response.status !== 404 || !text.includes('"code":"not_found"'))
            problems.push(
              `${method} ${path} (${token ? "with a token" : "no token"}) → ${response.status} ${text.slice(0, 200)}`,
            );
        }
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Stripe webhooks

async function deliver(payload: string, signature: string | null) {
  const response = await postStripeWebhook(payload, signature);
  return {
    status: response.status,
    text: await response.text(),
    requestId: response.headers.get("x-request-id"),
  };
}

const HANDLED_TYPES = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

function subscriptionEvent(
  customer: string,
  subscriptionId: string,
  fields: { status?: string } = {},
): EventJson {
  const created = nowSeconds();
  return {
    id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: "customer.subscription.created",
    data: {
      object: {
        id: subscriptionId,
        object: "subscription",
        customer,
        status: fields.status ?? "active",
        cancel_at_period_end: false,
        metadata: {},
        items: {
          object: "list",
          data: [
            {
              id: "si_hostile",
              object: "subscription_item",
              price: { id: "price_growqr_pro_monthly", object: "price" },
              current_period_start: created - 60,
              current_period_end: created + 30 * 24 * 3600,
            },
          ],
        },
      },
    },
  };
}

const notAString = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
/** Values each envelope field of a Stripe event must not have. */
const BAD_ENVELOPE = {
  id: notAString,
  type: fc.oneof(notAString, fc.constantFrom("", "invoice.paid\u0000", "x".repeat(256))),
  created: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(null, true, -1, 1.5, 1e20, [1]),
    fc.double({ noNaN: true }).filter((n) => !Number.isInteger(n)),
  ),
  data: fc.oneof(
    fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 8 }),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
    ),
    fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)).map((object) => ({ object })),
  ),
};

describe("Stripe webhooks: forged, fuzzed and replayed deliveries", () => {
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const prefix = `evt_hostile_${run}_`;
  const recorded = async () =>
    (
      await db.execute(
        sql`select count(*)::int as n from ${processedWebhookEvents} where stripe_event_id like ${`${prefix}%`}`,
      )
    ).rows[0]?.n as number;
  const eventId = fc.uuid().map((u) => `${prefix}${u.replaceAll("-", "")}`);

  it("refuses unsigned, forged, stale and future deliveries of fuzzed bodies with 400, recording nothing", async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      nastyText(300),
      fc
        .record({
          id: eventId,
          type: fc.oneof(fc.constantFrom(...HANDLED_TYPES), nastyText(30)),
          created: fc.integer({ min: 0, max: 2 ** 31 }),
          data: fc.record({
            object: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })),
          }),
        })
        .map((e) => JSON.stringify(e)),
    );
    const signature = fc.oneof(
      fc.constant({ kind: "none" as const }),
      fc
        .string({ unit: "grapheme-ascii", minLength: 1, maxLength: 200 })
        .map((value) => ({ kind: "garbage" as const, value })),
      fc
        .tuple(fc.integer({ min: 0, max: 2 ** 31 }), fc.stringMatching(/^[0-9a-f]{64}$/))
        .map(([t, v1]) => ({ kind: "garbage" as const, value: `t=${t},v1=${v1}` })),
      fc.constant({ kind: "wrong-secret" as const }),
      fc.integer({ min: 301, max: 10 ** 7 }).map((seconds) => ({ kind: "stale" as const, seconds })),
      fc.integer({ min: 400, max: 10 ** 7 }).map((seconds) => ({ kind: "future" as const, seconds })),
      fc.constant({ kind: "tampered" as const }),
    );
    const cases = sample(fc.tuple(body, signature), RUNS * 2);
    const outcomes = await mapLimit(cases, CONCURRENCY, async ([payload, how]) => {
      const header = (() => {
        switch (how.kind) {
          case "none":
            return null;
          case "garbage":
            return how.value;
          case "wrong-secret":
            return signStripePayload(payload, { secret: "whsec_not_the_secret" });
          case "stale":
            return signStripePayload(payload, { timestamp: nowSeconds() - how.seconds });
          case "future":
            return signStripePayload(payload, { timestamp: nowSeconds() + how.seconds });
          case "tampered":
            return signStripePayload(`${payload} `);
        }
      })();
      return { payload, how, outcome: await deliver(payload, header) };
    });
    const problems: string[] = [];
    for (const { payload, how, outcome } of outcomes) {
      const hostile: HttpCase = {
        kind: "junk",
        note: "",
        authorization: undefined,
        pathValues: {},
        query: [],
        headers: {},
        expect: [400],
      };
      const problem = problemWith(hostile, outcome);
      const code = (JSON.parse(outcome.text) as ErrorBody).error?.code;
      if (problem || !["missing_signature", "invalid_signature"].includes(code))
        problems.push(
          `${how.kind} ${show(payload)} → ${outcome.status} ${problem ?? code}: ${outcome.text.slice(0, 200)}`,
        );
    }
    console.info(`hostile-input: ${outcomes.length} forged webhook deliveries`);
    expect(problems, problems.join("\n")).toEqual([]);
    expect(await recorded()).toBe(0);
  });

  it("refuses correctly signed bodies that are not Stripe events with 400, and never fails on odd ones", async () => {
    const stranger = "cus_hostile_not_ours";
    const subscription = (id: string) => subscriptionEvent(stranger, `sub_hostile_${id.slice(-8)}`);
    type Delivery = { payload: string; expect: readonly number[]; note: string };
    const broken =
      (note: string) =>
      (value: unknown): Delivery => ({ payload: JSON.stringify(value) ?? "null", expect: [400], note });
    const cases = sample(
      fc.oneof<fc.Arbitrary<Delivery>[]>(
        // Not an event at all.
        fc
          .jsonValue({ maxDepth: 2 })
          .filter((v) => typeof v !== "object" || v === null || Array.isArray(v))
          .map(broken("not an object")),
        // An event with one envelope field of the wrong type or out of range.
        fc
          .tuple(eventId, fc.constantFrom(...(Object.keys(BAD_ENVELOPE) as Array<keyof typeof BAD_ENVELOPE>)))
          .chain(([id, field]) =>
            BAD_ENVELOPE[field].map((value) =>
              broken(`envelope ${field}`)({ ...subscription(id), id, [field]: value }),
            ),
          ),
        fc
          .tuple(eventId, fc.constantFrom(-1, 1.5, 1e20, "1700000000", null))
          .map(([id, created]) => broken("created out of range")({ ...subscription(id), id, created })),
        fc
          .tuple(eventId, fc.constantFrom("", "evt_\u0000", "evt x", `evt_${"e".repeat(300)}`, "évt_1"))
          .map(([suffix, id]) => broken("unstorable id")({ ...subscription(suffix), id })),
        // A subscription event whose object has a field of the wrong type.
        fc
          .tuple(
            eventId,
            fc.constantFrom("id", "customer", "status", "cancel_at_period_end", "items"),
            fc.oneof(
              fc.integer(),
              fc.constant(null),
              fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
              fc.constant("\u0000"),
            ),
          )
          .filter(
            ([, field, value]) =>
              !(field === "cancel_at_period_end" && value === null) && !(field === "items" && value === null),
          )
          .map(([id, field, value]) => {
            const event = subscription(id);
            return broken(`subscription ${field}`)({
              ...event,
              id,
              data: { object: { ...event.data.object, [field]: value } },
            });
          }),
        // Odd but well-formed: unknown types, unknown fields, customers that are not ours. Acknowledged.
        fc
          .tuple(
            eventId,
            // Prototype names too: looking a type up in a plain object once found Object.prototype's (a 500).
            fc.oneof(
              fc.constantFrom("constructor", "__proto__", "toString", "hasOwnProperty"),
              nastyText(40, 1),
            ),
            fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
          )
          .filter(
            ([, type]) =>
              !type.includes("\u0000") &&
              type.length <= 255 &&
              !(HANDLED_TYPES as readonly string[]).includes(type),
          )
          .map(
            ([id, type, object]): Delivery => ({
              payload: JSON.stringify({ ...subscription(id), id, type, data: { object } }),
              expect: [200],
              note: "unknown type",
            }),
          ),
        fc
          .tuple(
            eventId,
            fc.dictionary(
              fc
                .string({ maxLength: 8 })
                .filter(
                  (k) =>
                    ![
                      "id",
                      "customer",
                      "status",
                      "items",
                      "cancel_at_period_end",
                      "current_period_start",
                      "current_period_end",
                    ].includes(k),
                ),
              fc.jsonValue({ maxDepth: 2 }),
              { maxKeys: 4 },
            ),
          )
          .map(([id, extra]): Delivery => {
            const event = subscription(id);
            return {
              payload: JSON.stringify({ ...event, id, data: { object: { ...event.data.object, ...extra } } }),
              expect: [200],
              note: "someone else's customer",
            };
          }),
      ),
      RUNS * 2,
    );
    const outcomes = await mapLimit(cases, CONCURRENCY, async (c) => ({
      c,
      outcome: await deliver(c.payload, signStripePayload(c.payload)),
    }));
    const problems: string[] = [];
    for (const { c, outcome } of outcomes) {
      const hostile: HttpCase = {
        kind: "body",
        note: c.note,
        authorization: undefined,
        pathValues: {},
        query: [],
        headers: {},
        expect: c.expect,
      };
      const problem = problemWith(hostile, outcome);
      if (problem)
        problems.push(
          `${c.note} ${show(c.payload)} → ${outcome.status} (${problem}): ${outcome.text.slice(0, 200)}`,
        );
    }
    console.info(`hostile-input: ${outcomes.length} signed odd or broken webhook bodies`);
    expect(problems, problems.join("\n")).toEqual([]);
    const acknowledged = outcomes.filter(({ outcome }) => outcome.status === 200).length;
    expect(await recorded()).toBe(acknowledged);
  });

  it("applies a validly signed event once however often it is replayed, and refuses stale replays", async () => {
    const user = await signUp("replay");
    const checkout = await call("/api/billing/checkout", user.token, {
      method: "POST",
      body: JSON.stringify({ plan: "pro" }),
    });
    expect(checkout.status).toBe(200);
    const { sessionId } = (await checkout.json()) as { sessionId: string };
    const state = (await (await fetch(`${inject("stripeUrl")}/_dev/state`)).json()) as {
      checkoutSessions: Record<string, { customer: string }>;
    };
    const customer = state.checkoutSessions[sessionId]?.customer ?? "";
    const subscriptionId = `sub_replay_${run}`;
    const event = subscriptionEvent(customer, subscriptionId);
    const payload = JSON.stringify(event);
    const processed = async (id: string) =>
      (
        await db.execute(
          sql`select count(*)::int as n from ${processedWebhookEvents} where stripe_event_id = ${id}`,
        )
      ).rows[0]?.n as number;
    const rows = async () =>
      (
        await db.execute(
          sql`select status from subscriptions where stripe_subscription_id = ${subscriptionId}`,
        )
      ).rows;

    const firstSignature = signStripePayload(payload);
    const first = await deliver(payload, firstSignature);
    expect(JSON.parse(first.text)).toEqual({ received: true, outcome: "applied" });

    // The very same request again, re-signed deliveries, and a burst at once: each a duplicate.
    const replays = [
      await deliver(payload, firstSignature),
      await deliver(payload, signStripePayload(payload)),
      ...(await Promise.all(Array.from({ length: 4 }, () => deliver(payload, signStripePayload(payload))))),
    ];
    for (const replay of replays) {
      expect(replay.status).toBe(200);
      expect(JSON.parse(replay.text)).toEqual({ received: true, outcome: "duplicate" });
    }

    // Replayed with an old timestamp: refused before it is even looked at, like a new event signed long ago.
    const stale = await deliver(payload, signStripePayload(payload, { timestamp: nowSeconds() - 600 }));
    expect(stale.status).toBe(400);
    expect((JSON.parse(stale.text) as ErrorBody).error.code).toBe("invalid_signature");
    const cancelled = JSON.stringify(subscriptionEvent(customer, subscriptionId, { status: "canceled" }));
    const staleNew = await deliver(
      cancelled,
      signStripePayload(cancelled, { timestamp: nowSeconds() - 600 }),
    );
    expect(staleNew.status).toBe(400);

    expect(await processed(event.id)).toBe(1);
    expect(await processed((JSON.parse(cancelled) as EventJson).id)).toBe(0);
    expect(await rows()).toEqual([{ status: "active" }]);
    const billing = (await (await call("/api/billing", user.token)).json()) as {
      plan: string;
      status: string;
    };
    expect(billing).toMatchObject({ plan: "pro", status: "active" });
  });
});

// ---------------------------------------------------------------------------------------------------------------

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

it("leaves the other user's account exactly as it was", async () => {
  const after = await victimView(victim);
  expect(after).toEqual(victimBefore);
  expect(after.thread.status).toBe(200);
  expect((after.thread.body as { title: string }).title).toBe(victim.threadTitle);
  expect((after.memory.body as { content: string }).content).toBe(victim.memoryContent);
  expect(await footprint(intruder.id)).toEqual(NOTHING);
});
