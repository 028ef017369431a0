import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { convertSpec, OPENAPI3_SPEC, SWAGGER_SPEC } from "./generate-types";

describe("Fly spec conversion", () => {
  // The vendored Swagger file lives in the shared folder beside the repository (present locally and in CI).
  it.skipIf(!existsSync(SWAGGER_SPEC))(
    "matches the committed OpenAPI 3 document (run `npm run fly:types`)",
    async () => {
      const committed = JSON.parse(await readFile(OPENAPI3_SPEC, "utf8"));
      const fresh = await convertSpec();
      expect(fresh).toEqual(committed);
      expect(Object.keys(fresh.paths as object)).toContain("/apps/{app_name}/machines/{machine_id}/suspend");
    },
  );
});
