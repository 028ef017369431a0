import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildSubset, buildTypes, GENERATED_TYPES, SOURCE_SPEC, SUBSET_SPEC } from "./generate-gitea-types";

// The source spec lives outside the repository (../shared/specs); where it is absent there is nothing to compare.
describe.skipIf(!existsSync(SOURCE_SPEC))("generated Gitea types", () => {
  it("are up to date with the spec (run `npm run gitea:types`)", async () => {
    const subset = await buildSubset();
    expect(subset).toBe(readFileSync(SUBSET_SPEC, "utf8"));
    expect(await buildTypes(subset)).toBe(readFileSync(GENERATED_TYPES, "utf8"));
  });
});
