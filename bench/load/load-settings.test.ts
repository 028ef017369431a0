import { describe, expect, it } from "vitest";
import { faultMode, loadSettings, thinkRange } from "./load-settings";

describe("load settings", () => {
  it("saturates by default and reads a human pace from LOAD_THINK_MS", () => {
    expect(loadSettings({}).thinkMs).toEqual([100, 500]);
    expect(loadSettings({ LOAD_THINK_MS: "2000-6000" }).thinkMs).toEqual([2000, 6000]);
  });

  it("refuses a range it cannot read rather than running at some other pace", () => {
    for (const bad of ["", "5", "6000-2000", "a-b", "-1-5"])
      expect(() => thinkRange(bad)).toThrow(/LOAD_THINK_MS/);
  });

  it("runs every fault by default, none with LOAD_FAULTS=0, only reloads of the Workers with reload", () => {
    expect(loadSettings({}).faults).toBe("all");
    expect(loadSettings({ LOAD_FAULTS: "1" }).faults).toBe("all");
    expect(loadSettings({ LOAD_FAULTS: "0" }).faults).toBe("none");
    expect(loadSettings({ LOAD_FAULTS: "none" }).faults).toBe("none");
    expect(loadSettings({ LOAD_FAULTS: "reload" }).faults).toBe("reload");
  });

  it("refuses a fault mode it does not know rather than running every fault", () => {
    for (const bad of ["reloads", "off", "toString", "2"])
      expect(() => faultMode(bad)).toThrow(/LOAD_FAULTS/);
  });

  it("reloads once per 15 s of the run unless LOAD_RELOADS says how often", () => {
    expect(loadSettings({ LOAD_SECONDS: "120" }).reloads).toBe(8);
    expect(loadSettings({ LOAD_SECONDS: "10" }).reloads).toBe(1);
    expect(loadSettings({ LOAD_RELOADS: "3" }).reloads).toBe(3);
    expect(loadSettings({ LOAD_SECONDS: "120", LOAD_RELOADS: "" }).reloads).toBe(8);
    for (const bad of ["0", "1.5", "x"])
      expect(() => loadSettings({ LOAD_RELOADS: bad })).toThrow(/LOAD_RELOADS/);
  });

  it("streams replies at about Claude's pace when reloading, so that reloads meet users mid-turn", () => {
    expect(loadSettings({}).modelPauseMs).toBe(0);
    expect(loadSettings({ LOAD_FAULTS: "reload" }).modelPauseMs).toBe(50);
    expect(loadSettings({ LOAD_FAULTS: "reload", LOAD_MODEL_PAUSE_MS: "0" }).modelPauseMs).toBe(0);
    expect(() => loadSettings({ LOAD_MODEL_PAUSE_MS: "-5" })).toThrow(/LOAD_MODEL_PAUSE_MS/);
  });
});
