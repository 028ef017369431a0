import { describe, expect, it } from "vitest";
import {
  healthTargets,
  machineIds,
  pendingMachines,
  pendingVolumes,
  teardownSteps,
  withoutResource,
  withResource,
} from "./resource-plan";
import { emptyRecord, type StackRecord } from "./stack-record";

const base = emptyRecord("user-1", "growqr-runtime", "iad", 1_000);
const full: StackRecord = {
  ...base,
  resources: { opencode: { machineId: "m1", volumeId: "v1" }, gitea: { machineId: "m2", volumeId: "v2" } },
};
// Gitea's volume made, nothing else: an interrupted create.
const partial: StackRecord = { ...base, resources: { gitea: { volumeId: "v2" } } };

describe("what a create still has to make", () => {
  it("makes every volume, then every machine, for a new stack", () => {
    expect(pendingVolumes(base)).toEqual(["opencode", "gitea"]);
    expect(pendingMachines(base)).toEqual([]);
  });

  it("resumes an interrupted create: only what is missing, machines only where a volume exists", () => {
    expect(pendingVolumes(partial)).toEqual(["opencode"]);
    expect(pendingMachines(partial)).toEqual([["gitea", "v2"]]);
    const withOpencodeVolume = withResource(partial, "opencode", { volumeId: "v1" });
    expect(pendingMachines(withOpencodeVolume)).toEqual([
      ["opencode", "v1"],
      ["gitea", "v2"],
    ]);
  });

  it("makes nothing for a complete stack", () => {
    expect(pendingVolumes(full)).toEqual([]);
    expect(pendingMachines(full)).toEqual([]);
  });
});

describe("record updates", () => {
  it("merges a resource into its role without touching the record it came from", () => {
    const next = withResource(partial, "gitea", { machineId: "m2" });
    expect(next.resources.gitea).toEqual({ volumeId: "v2", machineId: "m2" });
    expect(partial.resources.gitea).toEqual({ volumeId: "v2" });
  });

  it("forgets one resource of a role, keeping the other", () => {
    const next = withoutResource(full, "opencode", "machineId");
    expect(next.resources.opencode).toEqual({ volumeId: "v1" });
    expect(next.resources.gitea).toEqual(full.resources.gitea);
    expect(withoutResource(base, "gitea", "volumeId").resources.gitea).toEqual({});
  });
});

describe("machines and health targets", () => {
  it("lists machines in role order, skipping roles without one", () => {
    expect(machineIds(full)).toEqual([
      ["opencode", "m1"],
      ["gitea", "m2"],
    ]);
    expect(machineIds(partial)).toEqual([]);
  });

  it("probes OpenCode with its password, Gitea without", () => {
    expect(healthTargets(full, "pw")).toEqual([
      { role: "opencode", machineId: "m1", password: "pw" },
      { role: "gitea", machineId: "m2", password: undefined },
    ]);
  });
});

describe("teardownSteps", () => {
  it("deletes every machine before any volume", () => {
    expect(teardownSteps(full)).toEqual([
      { role: "opencode", kind: "machineId", id: "m1" },
      { role: "gitea", kind: "machineId", id: "m2" },
      { role: "opencode", kind: "volumeId", id: "v1" },
      { role: "gitea", kind: "volumeId", id: "v2" },
    ]);
  });

  it("deletes only what the record still holds (a retried destroy)", () => {
    expect(teardownSteps(partial)).toEqual([{ role: "gitea", kind: "volumeId", id: "v2" }]);
    expect(teardownSteps(base)).toEqual([]);
  });
});
