import { createLogger } from "../../../platform/logger";
import { withTimeout } from "../../../platform/with-timeout";
import { withDatabase } from "../db/open-database";
import type { Env } from "../env";
import type { ActorType } from "./actor-keys";
import { type ActorStatus, recordActorActive, recordActorStatus } from "./actor-mirror";
import { authenticateConnection, type ConnParams, type ConnState } from "./connection-auth";

const log = createLogger({ service: "actors" });

/** At most one "last active" write per actor per interval: activity is frequent, the mirror need not be exact. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * Writes an actor's lifecycle to Postgres. The mirror serves listings only; the actor is the source of truth,
 * so a failed write is logged and retried at the next lifecycle change instead of failing the actor. True when
 * the write went through.
 */
const MIRROR_WRITE_TIMEOUT_MS = 1_500;

export async function mirrorLifecycle(
  env: Env,
  actor: { type: ActorType; key: readonly string[]; actorId: string },
  status: ActorStatus,
): Promise<boolean> {
  const userId = actor.key[0];
  if (!userId) return false;
  try {
    await withDatabase(env, (db) => {
      const write =
        status === "active"
          ? recordActorActive(db, { type: actor.type, key: actor.key, userId, rivetActorId: actor.actorId })
          : recordActorStatus(db, actor.actorId, status);
      // Called while a connection opens (RivetKit gives that 5 s): a slow database must not cost the user the
      // connection. A write that loses the race may still land; the next connection writes again (an upsert).
      return withTimeout(write, MIRROR_WRITE_TIMEOUT_MS, "actor mirror write timed out");
    });
    return true;
  } catch (error) {
    log.warn("actor mirror write failed", { actorId: actor.actorId, status, error });
    return false;
  }
}

/**
 * An actor's `createConnState`: authenticate the caller, and on the first authorised connection list the actor
 * (GET /api/actors). Never at creation: anyone can create an actor under any key (with any input), and only the
 * connection proves who is asking, so a planted actor is refused at every connection and stays unlisted.
 */
export async function admitAndList(
  env: Env,
  actor: { type: ActorType; key: readonly string[]; actorId: string; state: { listed: boolean } },
  params: ConnParams,
): Promise<ConnState> {
  const caller = await authenticateConnection(env, params, actor);
  if (!actor.state.listed) actor.state.listed = await mirrorLifecycle(env, actor, "active");
  return caller;
}
