import { sql } from "drizzle-orm";
import type { Database } from "../../../schema/db";

/** Turns older than this are not looked at on wake: no turn runs that long, and the scan stays on the index. */
const RECOVERY_WINDOW = sql`interval '1 day'`;

export interface InterruptedTurn {
  threadId: string;
  turnId: string;
  /** Text that streamed after the turn's last stored assistant message: kept as a partial message. */
  partialText: string;
}

/**
 * Turns that started but never ended: the Durable Object was restarted (deploy, crash) while they ran. The event
 * log is the record, so this needs nothing the actor may not have saved in time.
 */
export async function findInterruptedTurns(db: Database, userId: string): Promise<InterruptedTurn[]> {
  const result = await db.execute<{ thread_id: string; turn_id: string; partial_text: string | null }>(sql`
    select s.thread_id, s.data->>'turnId' as turn_id,
      (select string_agg(d.data->>'text', '' order by d.seq) from events d
        where d.thread_id = s.thread_id and d.seq > s.seq and d.type = 'text.delta'
          and d.data->>'turnId' = s.data->>'turnId'
          and d.seq > coalesce((select max(m.seq) from events m where m.thread_id = s.thread_id and m.seq > s.seq
            and m.type = 'message.assistant' and m.data->>'turnId' = s.data->>'turnId'), 0)
      ) as partial_text
    from events s
    where s.user_id = ${userId} and s.type = 'turn.started' and s.at > now() - ${RECOVERY_WINDOW}
      and not exists (
        select 1 from events e where e.thread_id = s.thread_id and e.seq > s.seq
          and e.type in ('turn.completed', 'turn.failed', 'turn.cancelled', 'turn.interrupted')
          and e.data->>'turnId' = s.data->>'turnId')
    order by s.thread_id, s.seq`);
  return result.rows.map((row) => ({
    threadId: row.thread_id,
    turnId: row.turn_id,
    partialText: row.partial_text ?? "",
  }));
}

/**
 * User messages stored (and acknowledged) whose turn never started: queued behind a turn that was interrupted. A
 * turn that failed before it started names its message, which then counts as answered (the user saw the failure).
 */
export async function findUnansweredMessages(
  db: Database,
  userId: string,
): Promise<Array<{ threadId: string; messageId: string }>> {
  const result = await db.execute<{ thread_id: string; message_id: string }>(sql`
    select u.thread_id, u.data->>'messageId' as message_id
    from events u
    where u.user_id = ${userId} and u.type = 'message.user' and u.at > now() - ${RECOVERY_WINDOW}
      and not exists (
        select 1 from events t where t.thread_id = u.thread_id and t.seq > u.seq
          and t.type in ('turn.started', 'turn.failed') and t.data->>'messageId' = u.data->>'messageId')
    order by u.thread_id, u.seq`);
  return result.rows.map((row) => ({ threadId: row.thread_id, messageId: row.message_id }));
}

/** Sub-agents a turn spawned whose end was never logged (the Worker restarted while they ran). */
export async function findUnfinishedSubAgents(
  db: Database,
  threadId: string,
  turnId: string,
): Promise<string[]> {
  const result = await db.execute<{ sub_agent_id: string }>(sql`
    select s.data->>'subAgentId' as sub_agent_id
    from events s
    where s.thread_id = ${threadId} and s.type = 'subagent.spawned' and s.data->>'turnId' = ${turnId}
      and not exists (
        select 1 from events f where f.thread_id = s.thread_id and f.seq > s.seq and f.type = 'subagent.finished'
          and f.data->>'subAgentId' = s.data->>'subAgentId')
    order by s.seq`);
  return result.rows.map((row) => row.sub_agent_id);
}
