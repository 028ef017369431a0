import type { RunHistoryRow } from "./schedule-runs.repository";

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

/**
 * A run as the history shows it: a sent run is `running` until its turn's end event, then `succeeded` (the turn
 * completed) or `failed` with the turn's reason.
 */
export function runJson(row: RunHistoryRow) {
  const base = {
    id: row.id,
    slotAt: new Date(row.slot_at).toISOString(),
    threadId: row.thread_id,
    messageId: row.message_id,
    startedAt: new Date(row.started_at).toISOString(),
    tokens: row.tokens === null ? null : Number(row.tokens),
  };
  if (row.status !== "sent") {
    return {
      ...base,
      status: row.status,
      errorCode: row.error_code,
      errorMessage: row.error_message,
      finishedAt: iso(row.finished_at),
    };
  }
  if (!row.end_type)
    return { ...base, status: "running" as const, errorCode: null, errorMessage: null, finishedAt: null };
  const ok = row.end_type === "turn.completed";
  return {
    ...base,
    status: ok ? ("succeeded" as const) : ("failed" as const),
    errorCode: ok ? null : (row.end_code ?? row.end_type.replace("turn.", "")),
    errorMessage: ok ? null : row.end_message,
    finishedAt: iso(row.end_at),
  };
}
