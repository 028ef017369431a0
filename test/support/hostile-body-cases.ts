import fc from "fast-check";
import { maxBodyBytesFor } from "../../worker/src/http/body-limit";
import type { CaseKind, HttpCase } from "./hostile-http";
import {
  deeplyNested,
  invalidJsonValue,
  invalidMemoryPath,
  MALFORMED_JSON,
  nastyText,
  WRONG_CONTENT_TYPES,
} from "./hostile-values";
import { baseType, type JsonSchema, type Operation, validExample } from "./openapi-operations";

/** The bodies the hostile-input suite sends an operation that takes one (`hostile-http-cases.ts`). */

/** Per field name: values the API must refuse, beyond what the schema says (memory paths are validated deeper). */
export const DOMAIN_INVALID: Record<
  string,
  { values: () => fc.Arbitrary<unknown>; expect: readonly number[] }
> = {
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
  // Schedules (worker/src/schedules/): cron strings, zones and one-off times the schema cannot judge.
  cron: {
    values: () =>
      fc.oneof(
        fc.constantFrom(
          "every day",
          "* * * * * *",
          "61 * * * *",
          "0 25 * * *",
          "0 8 31 2 *",
          "@daily",
          "0 8 * * 1-5 x",
        ),
        fc.string({ unit: "grapheme-ascii", maxLength: 120 }),
      ),
    expect: [400],
  },
  timeZone: {
    values: () =>
      fc.oneof(
        fc.constantFrom(
          "Mars/Olympus",
          "UTC+25",
          "../../etc/passwd",
          "Europe/Berlin\u0000",
          "",
          " Europe/Berlin",
        ),
        fc
          .string({ unit: "grapheme", maxLength: 64 })
          .filter((zone) => !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)),
      ),
    expect: [400],
  },
  runAt: {
    values: () =>
      fc
        .date({
          min: new Date("1970-01-01T00:00:00Z"),
          max: new Date(Date.now() - 1_000),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString()),
    expect: [400],
  },
};

export function bodyCases(op: Operation, base: HttpCase): fc.Arbitrary<HttpCase>[] {
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
