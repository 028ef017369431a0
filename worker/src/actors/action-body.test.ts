import { encode as encodeCbor } from "cbor-x";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isActionBody } from "./action-body";

/** A BARE action request as RivetKit's client writes it: u16 LE version, LEB128 length, CBOR of the arguments. */
function bare(args: unknown, version = 3): Uint8Array {
  const data = encodeCbor(args);
  const length: number[] = [];
  let n = data.length;
  do {
    length.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 0x80);
  } while (n > 0);
  return new Uint8Array([version & 0xff, version >> 8, ...length, ...data]);
}

const text = (value: string) => new TextEncoder().encode(value);

describe("action bodies", () => {
  it("accepts what RivetKit's client sends, in every encoding", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), (args) => {
        expect(isActionBody("json", text(JSON.stringify({ args })))).toBe(true);
        expect(isActionBody("cbor", encodeCbor({ args }))).toBe(true);
        expect(isActionBody("bare", bare(args))).toBe(true);
      }),
    );
    // A long argument list needs a multi-byte length.
    expect(isActionBody("bare", bare(["x".repeat(100_000)], 1))).toBe(true);
  });

  it.each([
    ["json", text("{")],
    ["json", text("[]")],
    ["json", text('{"args":{}}')],
    ["json", text("null")],
    ["json", new Uint8Array([0xff, 0xfe])],
    ["cbor", new Uint8Array([0xff, 0x00, 0x13, 0x37])],
    ["cbor", encodeCbor({ args: "x" })],
    ["cbor", new Uint8Array()],
    ["bare", new Uint8Array()],
    ["bare", bare([], 0)],
    ["bare", bare([], 4)],
    ["bare", bare([], 256 + 3)],
    ["bare", bare({ not: "a list" })],
    ["bare", new Uint8Array([...bare([1]), 0])],
    ["bare", bare([1]).slice(0, -1)],
    ["bare", new Uint8Array([3, 0, 0x81, 0x00, 0x80])], // non-canonical length
    ["bare", new Uint8Array([3, 0, 0xff, 0xff, 0xff, 0xff, 0x7f])],
  ] as const)("refuses a %s body %j", (encoding, body) => {
    expect(isActionBody(encoding, body)).toBe(false);
  });
});
