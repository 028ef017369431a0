import { describe, expect, it } from "vitest";
import { loadSettings, thinkRange } from "./load-settings";

describe("load settings", () => {
  it("saturates by default and reads a human pace from LOAD_THINK_MS", () => {
    expect(loadSettings({}).thinkMs).toEqual([100, 500]);
    expect(loadSettings({ LOAD_THINK_MS: "2000-6000" }).thinkMs).toEqual([2000, 6000]);
  });

  it("refuses a range it cannot read rather than running at some other pace", () => {
    for (const bad of ["", "5", "6000-2000", "a-b", "-1-5"])
      expect(() => thinkRange(bad)).toThrow(/LOAD_THINK_MS/);
  });
});
