import { sql } from "drizzle-orm";
import fc from "fast-check";
import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import type { Database } from "../../schema/db";
import { mintToken, type signUp, stackDb } from "./api";

/**
 * The hostile-input suite (`test/api/hostile-input/`, issue #12): hostile input against every operation of the
 * served OpenAPI document, every actor action, RivetKit's manager routes and the Stripe webhook: fuzzed bodies,
 * params, queries and headers (fast-check, fixed seed), oversized bodies, bad and other users' tokens, other users'
 * ids, replayed webhooks. The only answers allowed are documented 4xx in the error shape (never a 5xx, a stack
 * trace or a success for input that must be refused), and no refused request leaves a write behind: every fuzzing
 * user's rows are counted afterwards.
 *
 * Bounded: HOSTILE_RUNS cases per operation and class (default 32), seed HOSTILE_SEED (printed; set it to replay).
 * This module: the settings, the seeded sampler, the rows a user can leave behind and the database they are
 * counted in, and the tokens that must be refused; the users themselves (victim, intruder, owner) are in
 * `hostile-users.ts`.
 */

export const SEED = Number(process.env.HOSTILE_SEED ?? 20_261_126);
export const RUNS = Number(process.env.HOSTILE_RUNS ?? 32);
export const CONCURRENCY = 6;
console.info(
  `hostile-input: seed ${SEED}, ${RUNS} runs per operation and class (HOSTILE_SEED, HOSTILE_RUNS)`,
);

let seedOffset = 0;
/**
 * `n` cases from `arbitrary`, reproducibly: each call gets its own seed derived from SEED. Calls are numbered
 * across the suite's files in the order they ran when the suite was one file (REST operations, actor actions,
 * RivetKit routes, Stripe webhooks), so a seed still draws the cases it drew then: a later file starts at
 * `startSamplesAt(await samplesBefore(file))` (`hostile-seeds.ts`).
 */
export const sample = <T>(arbitrary: fc.Arbitrary<T>, n: number): T[] =>
  fc.sample(arbitrary, { seed: SEED + 7_919 * ++seedOffset, numRuns: n });

/** Numbers this file's first `sample` call after `offset` calls of the files before it. */
export function startSamplesAt(offset: number): void {
  seedOffset = offset;
}

/** Runs `work` over `items`, `limit` at a time. */
export async function mapLimit<T, R>(
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

export const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…(${text.length})` : text;
};

export const STACK_TRACE = /\n\s+at\s|\bat .+:\d+:\d+\)|node_modules|\.ts:\d+/;

// ---------------------------------------------------------------------------------------------------------------
// Users' rows, the database they are counted in, refused tokens

export type User = Awaited<ReturnType<typeof signUp>>;

/** Everything a request can leave behind for a user, row counts per table. */
export type Footprint = Record<(typeof FOOTPRINT_TABLES)[number], number>;
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
  "thread_shares",
  "schedules",
  "schedule_runs",
] as const;

let db: Database | undefined;

/** The stack's database, opened by `openDatabase` in a file's `beforeAll`. */
export function database(): Database {
  if (!db) throw new Error("hostile-input: openDatabase() first (in beforeAll)");
  return db;
}

export function openDatabase(): void {
  db = stackDb();
}

/** Ends the database; `database()` refuses again until the next `openDatabase`. */
export async function closeDatabase(): Promise<void> {
  await db?.$client.end();
  db = undefined;
}

export async function footprint(userId: string): Promise<Footprint> {
  const result = await database().execute(sql`
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
      (select count(*) from user_stacks where user_id = ${userId})::int as user_stacks,
      (select count(*) from thread_shares where user_id = ${userId})::int as thread_shares,
      (select count(*) from schedules where user_id = ${userId})::int as schedules,
      (select count(*) from schedule_runs where user_id = ${userId})::int as schedule_runs`);
  return result.rows[0] as Footprint;
}

export const NOTHING: Footprint = Object.fromEntries(
  FOOTPRINT_TABLES.map((table) => [table, 0]),
) as Footprint;

/** Every `actors` row of a user (the footprint counts only sub-agents'). */
export async function actorRows(userId: string): Promise<number> {
  const result = await database().execute(
    sql`select count(*)::int as n from actors where user_id = ${userId}`,
  );
  return (result.rows[0] as { n: number }).n;
}

/** Tokens that must all be refused with 401: expired, early, foreign issuer or party, forged, unsigned, confused. */
export async function badAuthorizations(username: string): Promise<string[]> {
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
