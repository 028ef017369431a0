import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { devUserId } from "../../dev/issuer/mint-token";
import { users } from "../../schema";
import { call, mintToken, stackDb, uniqueUser } from "../support/api";

describe("users mirrored from verified tokens", () => {
  it("50 concurrent first requests of a new user create exactly one row", async () => {
    const username = uniqueUser("burst");
    const token = await mintToken(username);
    const responses = await Promise.all(Array.from({ length: 50 }, () => call("/api/me", token)));
    const ids = new Set<string>();
    for (const response of responses) {
      expect(response.status).toBe(200);
      ids.add(((await response.json()) as { id: string }).id);
    }
    expect(ids.size).toBe(1);

    const db = stackDb();
    const rows = await db
      .select()
      .from(users)
      .where(eq(users.clerkUserId, devUserId(username)));
    await db.$client.end();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).toBe([...ids][0]);
  });

  it("keeps the profile fresh from the token's claims", async () => {
    const username = uniqueUser("profile");
    const first = await call("/api/me", await mintToken(username, { claims: { name: "Old Name" } }));
    expect(((await first.json()) as { name: string }).name).toBe("Old Name");
    const second = await call(
      "/api/me",
      await mintToken(username, { claims: { name: "New Name", image_url: "https://img.example/a.png" } }),
    );
    expect(await second.json()).toMatchObject({ name: "New Name", imageUrl: "https://img.example/a.png" });
  });
});
