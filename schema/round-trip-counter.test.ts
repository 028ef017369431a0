import { describe, expect, it } from "vitest";
import { RoundTripCounter } from "./round-trip-counter";

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const startup = () => {
  const body = Buffer.concat([int32(196608), Buffer.from("user\0u\0\0")]);
  return Buffer.concat([int32(body.length + 4), body]);
};
const message = (type: string, body = Buffer.alloc(0)) =>
  Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);

describe("RoundTripCounter", () => {
  it("counts simple queries and extended-protocol batches, not their parts", () => {
    const counter = new RoundTripCounter();
    counter.push(
      Buffer.concat([
        int32(8),
        int32(80877103), // SSLRequest
        startup(),
        message("p", Buffer.from("secret\0")),
        message("Q", Buffer.from("select 1\0")),
        message("P", Buffer.from("\0select $1\0\0\0")),
        message("B", Buffer.alloc(6)),
        message("E", Buffer.alloc(5)),
        message("S"),
      ]),
    );
    expect(counter.count).toBe(2);
  });

  it("counts a message split across chunks once, when it is whole", () => {
    const bytes = Buffer.concat([startup(), message("Q", Buffer.from("select 1\0")), message("S")]);
    const counter = new RoundTripCounter();
    for (let i = 0; i < bytes.length; i++) counter.push(bytes.subarray(i, i + 1));
    expect(counter.count).toBe(2);
  });
});
