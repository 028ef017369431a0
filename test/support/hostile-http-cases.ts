import fc from "fast-check";
import { bodyCases, DOMAIN_INVALID } from "./hostile-body-cases";
import type { HttpCase } from "./hostile-http";
import type { Footprint, User } from "./hostile-input";
import type { Victim } from "./hostile-users";
import {
  invalidHeaderValue,
  invalidQueryValue,
  nastyText,
  notAUuid,
  RAW_PATH_SEGMENTS,
} from "./hostile-values";
import {
  baseType,
  type JsonSchema,
  type Operation,
  type PathValue,
  validExample,
} from "./openapi-operations";

/** What the hostile-input suite feeds each operation of the OpenAPI document (`hostile-input.ts`). */

/** Ops whose success writes rows: how many a run of `n` successes adds (checked exactly). */
export const WRITES_ON_SUCCESS: Record<string, (n: number) => Partial<Footprint>> = {
  "POST /threads": (n) => ({ threads: n }),
  // The first write bootstraps the user's repository (one `repos` row).
  // The first write also brings up the user's Gitea machine (a stack: its `user_stacks` mirror row).
  "PUT /memory/file": (n) => ({ outbox: n, repos: n > 0 ? 1 : 0, user_stacks: n > 0 ? 1 : 0 }),
  // Cron schedules (the example's): none is due during the run, so no runs.
  "POST /schedules": (n) => ({ schedules: n }),
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
export function refusedCases(op: Operation, user: User, badAuth: readonly string[]): fc.Arbitrary<HttpCase> {
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

const isText = (schema: JsonSchema) =>
  baseType(schema) === "string" && !schema.enum && !schema.format && !schema.pattern;

/** The free-text fields of an operation (query strings and body properties without a format, enum or pattern). */
function textFields(op: Operation) {
  return {
    query: queryParams(op).filter((p) => isText(p.schema)),
    body: Object.entries(op.body?.schema.properties ?? {}).filter(([, s]) => isText(s)),
  };
}

export const hasTextFields = (op: Operation) => {
  const fields = textFields(op);
  return fields.query.length + fields.body.length > 0;
};

/** Hostile text inside every documented limit: these may succeed, but must never fail the server. */
export function textCases(op: Operation, user: User, ownThreadId: string): fc.Arbitrary<HttpCase> {
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
export const uuidPathParams = (op: Operation) => pathParams(op).filter((p) => p.schema.format === "uuid");

export function foreignIdCases(op: Operation, intruder: User, victim: Victim): fc.Arbitrary<HttpCase> {
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
export function junkCases(op: Operation): fc.Arbitrary<HttpCase> {
  return withNoise(op, {
    ...baseCase(op, ""),
    authorization: undefined,
    kind: "junk",
    note: "junk",
    expect: [200],
  });
}

/**
 * The tests `rest-operations.e2e.test.ts` runs for an operation, each drawing one `sample`: junk for open
 * endpoints without input; otherwise refused requests, other users' ids (where a path parameter is a uuid) and
 * hostile text (where there are free-text fields). None for webhooks: signed by Stripe, not by a user
 * (`stripe-webhooks.e2e.test.ts`).
 */
export function operationTests(op: Operation): Array<"junk" | "refused" | "foreign-id" | "text"> {
  if (isWebhook(op)) return [];
  if (!op.secured && !hasInput(op)) return ["junk"];
  return [
    "refused",
    ...(uuidPathParams(op).length > 0 ? (["foreign-id"] as const) : []),
    ...(hasTextFields(op) ? (["text"] as const) : []),
  ];
}
