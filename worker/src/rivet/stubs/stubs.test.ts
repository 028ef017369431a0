import { describe, expect, it } from "vitest";
import { idToStr } from "./engine-runner";

describe("engine-runner stub", () => {
  it("formats ids as lowercase hex, like the real idToStr", () => {
    expect(idToStr(new Uint8Array([0, 15, 255, 16]).buffer)).toBe("000fff10");
  });
});
