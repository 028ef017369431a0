import { eq } from "drizzle-orm";
import { withDb } from "../../../schema/db";
import { userStacks } from "../../../schema/tables/stacks";
import type { Env } from "../env";
import type { StackRecord, StackStatus } from "./stack-record";

type MirrorStatus = (typeof userStacks.$inferInsert)["status"];

/** The DO's states onto `user_stacks.status` (whose vocabulary predates the DO: "running" means ready). */
const MIRROR_STATUS: Record<Exclude<StackStatus, "none">, MirrorStatus> = {
  creating: "creating",
  starting: "starting",
  ready: "running",
  suspending: "suspending",
  suspended: "suspended",
  failed: "failed",
};

/**
 * Mirrors a stack record into Postgres through the shared db module, so SQL (dashboards, billing, the Grow
 * Agent's stack tools) can see every user's stack without waking a Durable Object. The DO stays the source of
 * truth; a destroyed stack's row is deleted.
 */
export async function mirrorStack(env: Env, record: StackRecord, edgeUrl: string): Promise<void> {
  const settings = { databaseUrl: env.DATABASE_URL, wsProxy: env.DB_WS_PROXY, connectTimeoutMs: 3_000 };
  await withDb(settings, async (db) => {
    if (record.status === "none") {
      await db.delete(userStacks).where(eq(userStacks.userId, record.userId));
      return;
    }
    const row = {
      flyApp: record.app,
      flyMachineId: record.resources.opencode?.machineId ?? null,
      region: record.region,
      status: MIRROR_STATUS[record.status],
      opencodeUrl: record.resources.opencode?.machineId ? edgeUrl : null,
      giteaUrl: record.resources.gitea?.machineId ? edgeUrl : null,
      lastError: record.lastError ?? null,
      ...(record.status === "ready" ? { lastWokenAt: new Date(record.updatedAt) } : {}),
    };
    await db
      .insert(userStacks)
      .values({ userId: record.userId, ...row })
      .onConflictDoUpdate({ target: userStacks.userId, set: { ...row, updatedAt: new Date() } });
  });
}
