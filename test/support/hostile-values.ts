import fc from "fast-check";
import { baseType, type JsonSchema } from "./openapi-operations";

/** fast-check generators of hostile input: wrong types, oversized and nasty strings, traversal paths. */

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bits that have broken parsers, databases, terminals, templates and file systems before. */
export const NASTY_FRAGMENTS = [
  "\u0000",
  "\u0001",
  "\u001b[31m",
  "\u007f",
  "\r\n",
  "\t",
  "\u202e",
  "\u200b",
  "\ufeff",
  "\ud800",
  "\udfff",
  "\uffff",
  "👩‍👩‍👧‍👦",
  "𝕏",
  "é",
  "ﷺ",
  "İ",
  "../",
  "..\\",
  "%2e%2e%2f",
  "%00",
  "/etc/passwd",
  "C:\\Windows",
  ".git/config",
  "' OR 1=1 --",
  '"; DROP TABLE threads; --',
  "$(id)",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style lookup, as an attacker sends it.
  "${jndi:ldap://x/a}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "null",
  "NaN",
] as const;

/** Any text of at most `maxLength` UTF-16 units (at least `minLength`): unicode, control characters, NUL, fragments. */
export function nastyText(maxLength: number, minLength = 0): fc.Arbitrary<string> {
  const cap = Math.max(0, Math.min(maxLength, 400));
  return fc
    .oneof(
      fc.string({ unit: "grapheme", maxLength: cap }),
      fc.string({ unit: "binary", maxLength: cap }),
      fc.string({ unit: "binary-ascii", maxLength: cap }),
      fc
        .array(fc.oneof(fc.constantFrom(...NASTY_FRAGMENTS), fc.string({ unit: "grapheme", maxLength: 3 })), {
          minLength: 1,
          maxLength: 8,
        })
        .map((parts) => parts.join("")),
    )
    .map((text) => {
      const cut = text.slice(0, maxLength);
      return cut.length >= minLength ? cut : cut + "x".repeat(minLength - cut.length);
    });
}

/** Longer than `maxLength` in every count (UTF-16 units, code points, bytes), and nothing trims it back. */
export function tooLong(maxLength: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: maxLength + 1, max: maxLength * 2 + 16 }), fc.constantFrom("x", "é", "中", "🙂"))
    .map(([length, unit]) => unit.repeat(length));
}

/** Memory paths the API must refuse: traversal, `.git`, absolute, backslashes, control characters, too long. */
export function invalidMemoryPath(): fc.Arbitrary<string> {
  const segment = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/).filter((s) => s !== "." && s !== "..");
  return fc.oneof(
    fc.tuple(segment, segment).map(([a, b]) => `${a}/../${b}`),
    fc.tuple(segment, fc.constantFrom("../", "../../", "../../../etc/passwd")).map(([a, up]) => `${up}${a}`),
    fc.tuple(segment, fc.constantFrom(".git", ".GIT", ".Git")).map(([a, git]) => `${git}/${a}`),
    fc.tuple(segment, fc.constantFrom(".git/config", ".git/HEAD")).map(([a, git]) => `${a}/${git}`),
    segment.map((a) => `/${a}`),
    // Not "/" alone: as a listing prefix that is the root (a trailing "/" is tolerated there).
    fc.constantFrom("/etc/passwd", "//", "./x", "x/./y", "x//y"),
    fc.tuple(segment, segment).map(([a, b]) => `${a}\\${b}`),
    fc
      .tuple(segment, fc.integer({ min: 0, max: 31 }))
      .map(([a, code]) => `${a}${String.fromCharCode(code)}.md`),
    fc.integer({ min: 256, max: 600 }).map((n) => `notes/${"a".repeat(n)}.md`),
    fc.integer({ min: 86, max: 200 }).map((n) => "中".repeat(n)),
  );
}

const isUuid = (value: string) => UUID.test(value);

/** Path segment values for a `format: uuid` parameter that are not UUIDs (and not `.`/`..`, which leave the route). */
export function notAUuid(): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
      fc.constantFrom(
        "not-a-uuid",
        "../../etc/passwd",
        "..%2f..",
        "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b' OR '1'='1",
        "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5",
        "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5bb",
        "019a8f7e8c1a7b3e9f003c2d1e0f4a5b",
        "{019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b}",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        "\u0000",
        "null",
        "-1",
        "1e400",
        "__proto__",
      ),
      fc.integer({ min: 100, max: 4000 }).map((n) => "a".repeat(n)),
    )
    .filter((value) => !isUuid(value) && value !== "." && value !== ".." && value.trim() !== "");
}

/** Malformed escapes sent as they are (not encoded) in a path segment. */
export const RAW_PATH_SEGMENTS = ["%", "%ZZ", "%E0%A4%A", "%00", "%C0%AF", "%2e%2e%2fetc", "%FF%FE"] as const;

/** Whether a query string value is what `z.coerce.number().int()` within the schema's bounds accepts. */
export function coercesToValidInteger(value: string, schema: JsonSchema): boolean {
  const number = Number(value);
  return (
    Number.isInteger(number) &&
    number >= (schema.minimum ?? Number.MIN_SAFE_INTEGER) &&
    number <= (schema.maximum ?? Number.MAX_SAFE_INTEGER)
  );
}

/** Query string values a parameter of this schema must refuse. */
export function invalidQueryValue(schema: JsonSchema): fc.Arbitrary<string> | undefined {
  const type = baseType(schema);
  if (type === "integer" || type === "number") {
    const outside: fc.Arbitrary<string>[] = [];
    if (schema.maximum !== undefined)
      outside.push(fc.bigInt({ min: BigInt(schema.maximum) + 1n, max: 10n ** 30n }).map(String));
    if (schema.minimum !== undefined)
      outside.push(fc.bigInt({ min: -(10n ** 30n), max: BigInt(schema.minimum) - 1n }).map(String));
    return fc
      .oneof(
        fc.constantFrom(
          "abc",
          "1.5",
          "-1",
          "1e400",
          "NaN",
          "Infinity",
          "-Infinity",
          "9007199254740993",
          "١٢",
          "1_000",
          "true",
          "[]",
          "{}",
          "null",
          "0x",
          "5abc",
        ),
        fc.double({ noDefaultInfinity: false }).map(String),
        nastyText(40),
        ...outside,
      )
      .filter((value) => !coercesToValidInteger(value, schema));
  }
  if (type === "string") {
    const options: fc.Arbitrary<string>[] = [];
    if (schema.maxLength !== undefined) options.push(tooLong(schema.maxLength));
    if ((schema.minLength ?? 0) >= 1) options.push(fc.constant(""));
    if (schema.enum) options.push(nastyText(40).filter((value) => !schema.enum?.includes(value)));
    if (schema.pattern) {
      const pattern = new RegExp(schema.pattern, "u");
      options.push(nastyText(40).filter((value) => !pattern.test(value)));
    }
    if (schema.format === "uuid") options.push(notAUuid());
    return options.length > 0 ? fc.oneof(...options) : undefined;
  }
  return undefined;
}

/**
 * Header values a header of this schema must refuse: printable ASCII, or with a tab inside (anything else cannot
 * be sent).
 */
export function invalidHeaderValue(schema: JsonSchema): fc.Arbitrary<string> | undefined {
  const options: fc.Arbitrary<string>[] = [];
  if (schema.maxLength !== undefined)
    options.push(
      fc.integer({ min: schema.maxLength + 1, max: schema.maxLength * 4 }).map((n) => "k".repeat(n)),
    );
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, "u");
    const candidates = fc
      .oneof(
        fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 40 }),
        fc.constantFrom("-1", "1.5", "1234567890123456", "abc", "0x10", "1e3", "a\tb"),
      )
      .map((value) => value.trim())
      .filter((value) => value !== "");
    // Picked from a fixed sample, not filtered per run: when (almost) every printable value matches the pattern
    // (an idempotency key's), a filter would search forever.
    const refused = [...new Set(fc.sample(candidates, { numRuns: 500, seed: 7 }))].filter(
      (value) => !pattern.test(value),
    );
    if (refused.length > 0) options.push(fc.constantFrom(...refused));
  }
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

/** JSON values of any type but the schema's (and out-of-range ones of its type). */
export function invalidJsonValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const type = baseType(schema);
  const nullable = Array.isArray(schema.type) && schema.type.includes("null");
  const others: fc.Arbitrary<unknown>[] = [
    fc.boolean(),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  ];
  if (!nullable) others.push(fc.constant(null));
  if (type !== "string") others.push(nastyText(40));
  if (type !== "integer" && type !== "number") others.push(fc.integer(), fc.double({ noNaN: true }));
  if (type === "string") {
    const wrong = invalidQueryValue(schema);
    if (wrong) others.push(wrong);
  }
  if (type === "integer" || type === "number") {
    others.push(fc.constantFrom(1.5, -0.5, 1e308, -1e308, 2 ** 53 + 2));
    if (schema.maximum !== undefined) others.push(fc.integer({ min: schema.maximum + 1 }));
    if (schema.minimum !== undefined) others.push(fc.integer({ max: schema.minimum - 1 }));
  }
  return fc.oneof(...others).filter((value) => {
    if (type === "integer") return !(Number.isInteger(value) && inRange(value as number, schema));
    if (type === "number") return !(typeof value === "number" && inRange(value, schema));
    if (type === "object") return typeof value !== "object" || value === null || Array.isArray(value);
    return true;
  });
}

const inRange = (value: number, schema: JsonSchema) =>
  value >= (schema.minimum ?? Number.NEGATIVE_INFINITY) &&
  value <= (schema.maximum ?? Number.POSITIVE_INFINITY);

/** JSON text nested `depth` levels deep: `[[[…]]]` or `{"a":{"a":…}}`. */
export function deeplyNested(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Bodies that are not JSON at all, or not the JSON they claim to be. */
export const MALFORMED_JSON = [
  "",
  "{",
  '{"title":',
  "{'title':'x'}",
  '{"title":"x",}',
  "[1,2,",
  "undefined",
  "NaN",
  "\u0000",
  '{"a":1}{"b":2}',
  "<xml/>",
  "title=x",
  '{"title":"\\ud800\\u"}',
] as const;

/** Content types a JSON route must refuse (415). */
export const WRONG_CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "text/json",
  "application/jsonx",
  "application/json-patch",
] as const;

// ---------------------------------------------------------------------------------------------------------------
// RivetKit's manager routes (`/api/rivet/*`)

/**
 * Connection params no actor may accept: none, wrong types, junk and bad tokens (given), forged internal
 * credentials for `userIds`. Printable ASCII only where they travel in a header or a sub-protocol as JSON.
 */
export function badConnParams(
  badTokens: readonly string[],
  userIds: readonly string[],
): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant({}),
    fc.record({
      token: fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(""),
        fc.array(fc.string(), { maxLength: 2 }),
        fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
        // Past the 8 KiB token limit, within what a header may carry.
        fc.integer({ min: 8_200, max: 9_000 }).map((n) => "a".repeat(n)),
        fc.constantFrom(...badTokens),
      ),
    }),
    fc.record({
      internal: fc.oneof(
        fc.jsonValue({ maxDepth: 1 }),
        fc
          .tuple(fc.constantFrom(...userIds), fc.constantFrom("growAgent", "subAgent"), fc.base64String())
          .map(([user, audience, mac]) => `v1.${user}.${audience}.9999999999.${mac}`),
      ),
    }),
    fc.jsonValue({ maxDepth: 1 }).filter((v) => typeof v !== "object" || v === null || Array.isArray(v)),
  );
}

/** RivetKit-serialized actor keys no client may use for `ownerId`: malformed, escaped, empty or someone else's. */
export function foreignOrMalformedKey(ownerId: string, otherId: string): fc.Arbitrary<string> {
  const part = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
  return fc.oneof(
    fc.constant(otherId),
    part.map((p) => `${otherId}/${p}`),
    fc.constantFrom("/", "", "\\0", `${ownerId}/`, `/${ownerId}`, `${ownerId}\\/x`, `${ownerId}/a/b`),
    fc.constant(ownerId.toUpperCase()),
    nastyText(60).map(wellFormedText),
    fc.integer({ min: 300, max: 2_000 }).map((n) => `${ownerId}/${"k".repeat(n)}`),
  );
}

/** Bytes that are not an action request in any encoding (or that claim an encoding they are not). */
export function garbageActionBody(): fc.Arbitrary<{ bytes: Uint8Array; encoding: string | undefined }> {
  return fc.record({
    bytes: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(...MALFORMED_JSON).map((text) => new TextEncoder().encode(text)),
      fc
        .jsonValue({ maxDepth: 2 })
        .filter((value) => !Array.isArray(value))
        .map((value) => new TextEncoder().encode(JSON.stringify({ args: value }))),
      fc.constant(new Uint8Array([3, 0, 0x81, 0x00, 0x80])),
      fc.constant(new Uint8Array([0xff, 0xff, 0x05, 1, 2, 3, 4, 5])),
    ),
    encoding: fc.oneof(fc.constantFrom("json", "cbor", "bare", undefined), fc.string({ maxLength: 10 })),
  });
}

/** Lone surrogates cannot be sent in a URL or header; everything else can. */
const wellFormedText = (text: string) => text.replace(/[\ud800-\udfff]/g, "x");
