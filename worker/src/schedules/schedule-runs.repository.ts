import { sql } from "drizzle-orm";
import type { Database } from "../../../schema/db";
import { CACHE_READ_DIVISOR } from "../billing/usage-tokens";

export interface RunHistoryRow extends Record<string, unknown> {
  id: string;
  slot_at: string | Date;
  status: "started" | "sent" | "failed" | "skipped";
  thread_id: string | null;
  message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  started_at: string | Date;
  finished_at: string | Date | null;
  end_type: string | null;
  end_at: string | Date | null;
  end_code: string | null;
  end_message: string | null;
  tokens: string | number | null;
}

/**
 * A schedule's runs, newest first, with how each sent run's turn ended and the tokens it used, read from the
 * thread's events (the Grow Agent is their only writer, so nothing here can disagree with the thread). Tokens
 * count as the allowance counts them (usage-tokens.ts).
 */
export async function listRunHistory(
  db: Database,
  userId: string,
  scheduleId: string,
  limit: number,
): Promise<RunHistoryRow[]> {
  const result = await db.execute<RunHistoryRow>(sql`
    select r.id, r.slot_at, r.status, r.thread_id, r.message_id, r.error_code, r.error_message,
           r.created_at as started_at, r.finished_at,
           fin.type as end_type, fin.at as end_at, fin.data->>'code' as end_code, fin.data->>'message' as end_message,
           u.tokens
    from schedule_runs r
    left join lateral (
      select e.data->>'turnId' as turn_id from events e
      where r.message_id is not null and e.thread_id = r.thread_id and e.type = 'turn.started'
        and e.data->>'messageId' = r.message_id::text
      limit 1
    ) t on true
    left join lateral (
      select e.type, e.at, e.data from events e
      where r.message_id is not null and e.thread_id = r.thread_id
        and e.type in ('turn.completed', 'turn.failed', 'turn.cancelled', 'turn.interrupted')
        and (e.data->>'turnId' = t.turn_id or e.data->>'messageId' = r.message_id::text)
      order by e.seq
      limit 1
    ) fin on true
    left join lateral (
      select sum((e.data->>'inputTokens')::bigint + (e.data->>'outputTokens')::bigint
                 + (e.data->>'cacheWriteTokens')::bigint
                 + ((e.data->>'cacheReadTokens')::bigint + ${CACHE_READ_DIVISOR - 1}) / ${CACHE_READ_DIVISOR}) as tokens
      from events e
      where t.turn_id is not null and e.thread_id = r.thread_id and e.type = 'usage' and e.data->>'turnId' = t.turn_id
    ) u on true
    where r.schedule_id = ${scheduleId} and r.user_id = ${userId}
    order by r.slot_at desc
    limit ${limit}
  `);
  return result.rows;
}
