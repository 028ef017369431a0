import { and, eq, inArray } from "drizzle-orm";
import { opencodeSessions } from "../../../schema";
import type { Database } from "../../../schema/db";

export type SubAgentTask = Pick<typeof opencodeSessions.$inferSelect, "id" | "threadId" | "task" | "status">;

/**
 * The tasks behind a user's sub-agent actors (a sub-agent's key is [userId, session id]), for the actors list:
 * which thread started each and how its work went. Only the user's own rows, whatever ids are asked for.
 */
export async function subAgentTasks(
  db: Database,
  userId: string,
  ids: readonly string[],
): Promise<SubAgentTask[]> {
  if (ids.length === 0) return [];
  return db
    .select({
      id: opencodeSessions.id,
      threadId: opencodeSessions.threadId,
      task: opencodeSessions.task,
      status: opencodeSessions.status,
    })
    .from(opencodeSessions)
    .where(and(eq(opencodeSessions.userId, userId), inArray(opencodeSessions.id, [...ids])));
}
