import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../schema";
import type { Database } from "../../../schema/db";
import { type MigratedDatabase, startMigratedDatabase } from "../../../test/support/local-db";
import { growAgentKey } from "./actor-keys";
import { findUserActor, listUserActors, recordActorActive, recordActorStatus } from "./actor-mirror";

describe("actor mirror", () => {
  let local: MigratedDatabase;
  let db: Database;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    local = await startMigratedDatabase();
    db = local.db;
    const rows = await db
      .insert(users)
      .values([{ clerkUserId: "a" }, { clerkUserId: "b" }])
      .returning();
    alice = rows[0]?.id ?? "";
    bob = rows[1]?.id ?? "";
  });
  afterAll(() => local.close());

  it("records lifecycle, and a re-created actor reuses its row with the new generation", async () => {
    const identity = {
      type: "growAgent" as const,
      key: growAgentKey(alice),
      userId: alice,
      rivetActorId: "do1:0",
    };
    await recordActorActive(db, identity);
    await recordActorStatus(db, "do1:0", "destroyed");
    let [row] = await listUserActors(db, alice);
    expect(row).toMatchObject({ status: "destroyed", generation: 0, actorType: "growAgent" });

    await recordActorActive(db, { ...identity, rivetActorId: "do1:1" });
    const rows = await listUserActors(db, alice);
    expect(rows).toHaveLength(1);
    [row] = rows;
    expect(row).toMatchObject({ status: "active", generation: 1, rivetActorId: "do1:1" });
  });

  it("lists and finds only the caller's actors", async () => {
    await recordActorActive(db, {
      type: "growAgent",
      key: growAgentKey(bob),
      userId: bob,
      rivetActorId: "do2:0",
    });
    const [bobsActor] = await listUserActors(db, bob);
    expect(bobsActor?.userId).toBe(bob);
    expect((await listUserActors(db, alice)).map((a) => a.userId)).toEqual([alice]);
    expect(await findUserActor(db, alice, bobsActor?.id ?? "")).toBeUndefined();
    expect(await findUserActor(db, bob, bobsActor?.id ?? "")).toBeDefined();
  });
});
