import { createLogger } from "../../../platform/logger";
import { openDatabase } from "../db/open-database";
import type { Env } from "../env";
import type { ActorType } from "./actor-keys";
import { type ActorStatus, recordActorActive, recordActorStatus } from "./actor-mirror";

const log = createLogger({ service: "actors" });

/** At most one "last active" write per actor per interval: activity is frequent, the mirror need not be exact. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * Writes an actor's lifecycle to Postgres. The mirror serves listings only; the actor is the source of truth,
 * so a failed write is logged and retried at the next lifecycle change instead of failing the actor. True when
 * the write went through.
 */
export async function mirrorLifecycle(
  env: Env,
  actor: { type: ActorType; key: readonly string[]; actorId: string },
  status: ActorStatus,
): Promise<boolean> {
  const userId = actor.key[0];
  if (!userId) return false;
  const db = openDatabase(env);
  try {
    if (status === "active") {
      await recordActorActive(db, { type: actor.type, key: actor.key, userId, rivetActorId: actor.actorId });
    } else {
      await recordActorStatus(db, actor.actorId, status);
    }
    return true;
  } catch (error) {
    log.warn("actor mirror write failed", { actorId: actor.actorId, status, error });
    return false;
  } finally {
    await db.$client.end().catch(() => {});
  }
}
