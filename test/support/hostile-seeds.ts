import { apiUrl } from "./api";
import { operationTests } from "./hostile-http-cases";
import { loadOperations, RIVET_ROUTES } from "./openapi-operations";

/**
 * How many `sample` calls each file of `test/api/hostile-input/` makes, in the order the files ran when the suite
 * was one file: a file's samples are numbered after those of the files before it, so HOSTILE_SEED draws the same
 * cases as it did then (`sample` in `hostile-input.ts`). A file that adds or drops a `sample` call updates its
 * count here.
 */
const SAMPLE_CALLS = {
  "rest-operations": async () => (await loadOperations(apiUrl())).operations.flatMap(operationTests).length,
  // Other users' keys, hostile arguments.
  "actor-actions": async () => 2,
  // One per route.
  "rivet-manager": async () => RIVET_ROUTES.length,
  // Forged deliveries, odd or broken bodies.
  "stripe-webhooks": async () => 2,
  // Guessed tokens.
  "share-links": async () => 1,
} as const;

/** The `sample` calls of the files before `file`: its first call's number is one more. */
export async function samplesBefore(file: keyof typeof SAMPLE_CALLS): Promise<number> {
  let calls = 0;
  for (const [name, count] of Object.entries(SAMPLE_CALLS)) {
    if (name === file) return calls;
    calls += await count();
  }
  throw new Error(`hostile-input: no file ${file}`);
}
