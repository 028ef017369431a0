import { readFile } from "node:fs/promises";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { outbox, users } from "../../schema";
import { sha256Hex } from "../../worker/src/memory/memory-outbox.repository";
import { type MigratedDatabase, startMigratedDatabase } from "../support/local-db";

let local: MigratedDatabase;
beforeAll(async () => {
  local = await startMigratedDatabase();
});
afterAll(() => local?.close());

/** 0006's backfill, run on rows as an older release left them: delivered writes lose their content. */
it("migration 0006 drops the content of delivered memory writes, keeping the hash a replay compares", async () => {
  const { db } = local;
  const [user] = await db
    .insert(users)
    .values({ clerkUserId: `u-${crypto.randomUUID()}` })
    .returning();
  const old = (status: "done" | "pending", content: string) => ({
    userId: user?.id ?? "",
    kind: "memory.write",
    idempotencyKey: crypto.randomUUID(),
    payload: { path: "notes/a.md", content, message: "m" },
    status,
  });
  const [done] = await db.insert(outbox).values(old("done", "héllo ✓ 日本")).returning();
  const [pending] = await db.insert(outbox).values(old("pending", "still waiting")).returning();
  const migration = await readFile(
    new URL("../../schema/migrations/0006_outbox_failure_reason.sql", import.meta.url),
    "utf8",
  );
  const backfill = migration.split("--> statement-breakpoint").find((s) => s.includes("contentSha256"));
  expect(backfill).toBeDefined();
  await db.execute(sql.raw(backfill ?? ""));
  const [after] = await db
    .select()
    .from(outbox)
    .where(eq(outbox.id, done?.id ?? ""));
  expect(after?.payload).toEqual({
    path: "notes/a.md",
    message: "m",
    contentSha256: await sha256Hex("héllo ✓ 日本"),
  });
  const [untouched] = await db
    .select()
    .from(outbox)
    .where(eq(outbox.id, pending?.id ?? ""));
  expect(untouched?.payload).toMatchObject({ content: "still waiting" });
});
