import { sql } from "drizzle-orm";
import type { Logger } from "../../../platform/logger";
import { withTimeout } from "../../../platform/with-timeout";
import type { Database } from "../../../schema/db";

export interface DependencyStatus {
  status: "ok" | "down";
  latencyMs: number;
  error?: string;
}

const DEFAULT_TIMEOUT_MS = 3_000;

interface Probe {
  dependency: string;
  run: () => Promise<void>;
  /** What the client may see; the full reason goes only to the log. */
  publicReason: (error: unknown) => string;
}

/** Times one probe; a failure becomes a "down" status and a warning with the real cause. */
async function probe({ dependency, run, publicReason }: Probe, log: Logger): Promise<DependencyStatus> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    await withTimeout(run(), DEFAULT_TIMEOUT_MS);
    return { status: "ok", latencyMs: latency() };
  } catch (error) {
    log.warn("dependency down", {
      dependency,
      reason: error instanceof Error ? error.message : String(error),
    });
    return { status: "down", latencyMs: latency(), error: publicReason(error) };
  }
}

/** One database round-trip. Driver messages can carry host names, so the client sees only a generic reason. */
export const checkDatabase = (db: Database, log: Logger) =>
  probe(
    {
      dependency: "database",
      run: async () => {
        await db.execute(sql`select 1`);
      },
      publicReason: () => "database unreachable",
    },
    log,
  );

export const checkProvisioner = (provisioner: Fetcher, requestId: string, log: Logger) =>
  probe(
    {
      dependency: "provisioner",
      run: async () => {
        const response = await provisioner.fetch("https://provisioner.internal/health", {
          headers: { "x-request-id": requestId },
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`status ${response.status}`);
      },
      publicReason: (error) =>
        `provisioner unavailable: ${error instanceof Error ? error.message : "unknown error"}`,
    },
    log,
  );
