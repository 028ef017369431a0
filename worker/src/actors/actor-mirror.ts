import { and, desc, eq, sql } from "drizzle-orm";
import { actors } from "../../../schema";
import type { Database } from "../../../schema/db";
import { type ActorType, serializeKey } from "./actor-keys";

export type ActorRow = typeof actors.$inferSelect;
export type ActorStatus = ActorRow["status"];

export interface ActorIdentity {
  type: ActorType;
  key: readonly string[];
  userId: string;
  /** RivetKit's actor id (`<durable object id>:<generation>`). */
  rivetActorId: string;
}

const generationOf = (rivetActorId: string) => Number(rivetActorId.split(":").at(-1)) || 0;

/**
 * Mirrors an actor into Postgres so the API can list a user's actors without waking their Durable Objects.
 * Keyed by (type, key): re-creating a destroyed actor updates the same row with its new id and generation.
 */
export async function recordActorActive(db: Database, actor: ActorIdentity): Promise<void> {
  await db
    .insert(actors)
    .values({
      userId: actor.userId,
      actorType: actor.type,
      actorKey: serializeKey(actor.key),
      rivetActorId: actor.rivetActorId,
      generation: generationOf(actor.rivetActorId),
      status: "active",
    })
    .onConflictDoUpdate({
      target: [actors.actorType, actors.actorKey],
      set: {
        rivetActorId: actor.rivetActorId,
        generation: generationOf(actor.rivetActorId),
        status: "active",
        lastActiveAt: sql`now()`,
      },
    });
}

export async function recordActorStatus(
  db: Database,
  rivetActorId: string,
  status: ActorStatus,
): Promise<void> {
  await db
    .update(actors)
    .set({ status, lastActiveAt: sql`now()` })
    .where(eq(actors.rivetActorId, rivetActorId));
}

export async function listUserActors(db: Database, userId: string): Promise<ActorRow[]> {
  return db
    .select()
    .from(actors)
    .where(eq(actors.userId, userId))
    .orderBy(desc(actors.lastActiveAt))
    .limit(200);
}

export async function findUserActor(db: Database, userId: string, id: string): Promise<ActorRow | undefined> {
  const [row] = await db
    .select()
    .from(actors)
    .where(and(eq(actors.id, id), eq(actors.userId, userId)));
  return row;
}
