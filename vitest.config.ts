import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

const WORKERD_TESTS = "**/*.workerd.test.ts";
const API_TESTS = "test/api/**/*.test.ts";
const RIVET_DRIVER_TESTS = "test/rivet-driver/**/*.test.ts";

export default defineConfig({
  test: {
    // Two files at a time even on two cores: most e2e files wait on timers, wakes and sockets, not the CPU, and
    // run one by one the suite took ~12 minutes. Web e2e files still run one at a time (one browser, one stack).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "node",
          include: [
            "{worker,provisioner,platform,schema,contract,dev,bench,deploy}/**/*.test.ts",
            "web/src/**/*.test.ts",
            "test/**/*.test.ts",
          ],
          exclude: [WORKERD_TESTS, API_TESTS, RIVET_DRIVER_TESTS, "**/node_modules/**"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "web-e2e",
          include: ["web/e2e/**/*.e2e.test.ts"],
          globalSetup: ["web/e2e/global-setup.ts"],
          // One browser and one stack for the whole file: the scenarios build on each other.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "api",
          include: [API_TESTS],
          globalSetup: ["test/support/api-stack-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DATABASE_URL: inject<string>("databaseUrl"),
                DB_WS_PROXY: inject<string>("dbWsProxy"),
                TEST_GITEA_URL: inject<string>("giteaUrl"),
                TEST_GITEA_ADMIN_TOKEN: inject<string>("giteaAdminToken"),
                // Required by the Worker's start-up check (worker/src/http/check-config.ts).
                ACTOR_INTERNAL_KEY: "d29ya2VyZC10ZXN0cy1vbmx5LWtleS0zMi1ieXRlcy1sb25n",
              },
              workers: [
                {
                  name: "growqr-provisioner",
                  modules: true,
                  scriptPath: inject<string>("provisionerScript"),
                  compatibilityDate: "2026-11-01",
                  compatibilityFlags: ["nodejs_compat"],
                  durableObjects: { USER_STACK: "UserStack" },
                  bindings: { FLY_API_TOKEN: "unused-in-workerd-tests", STACK_SECRETS_KEY: "" },
                },
              ],
            },
          })),
        ],
        test: {
          name: "workerd",
          include: [WORKERD_TESTS],
          globalSetup: ["test/support/workerd-global-setup.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [rivetkitVitestCompat()],
        test: {
          name: "rivet-driver",
          include: [RIVET_DRIVER_TESTS],
          globalSetup: ["test/rivet-driver/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          // Inlined so the plugin above can see the suite's `vitest` import.
          server: { deps: { inline: ["rivetkit"] } },
        },
      },
    ],
  },
});

/** Points rivetkit's `vitest` import at test/rivet-driver/vitest-compat.ts (argument order, skip list). */
function rivetkitVitestCompat(): Plugin {
  const shim = fileURLToPath(new URL("./test/rivet-driver/vitest-compat.ts", import.meta.url));
  return {
    name: "rivetkit-vitest-compat",
    enforce: "pre",
    resolveId(id, importer) {
      if (id === "vitest" && importer?.includes("/node_modules/rivetkit/")) return shim;
      return null;
    },
  };
}
