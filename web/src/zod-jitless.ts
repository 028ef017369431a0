/**
 * Zod compiles object parsers with `new Function` when it may, and probes for that when the first object schema is
 * built: an `eval` the SPA's Content Security Policy refuses and reports (web/e2e/csp.e2e.test.ts). Zod reads its
 * config from this global, so setting it before any module builds a schema (this file is index.tsx's first
 * import and imports nothing) skips the probe; the interpreted parsers are fast enough for a chat.
 */
const host = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
host.__zod_globalConfig = { ...host.__zod_globalConfig, jitless: true };
