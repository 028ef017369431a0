import type { EventRow, MessageRow } from "./thread-log.repository";
import type { ThreadRow } from "./threads.repository";

/** Rows to the API's JSON: camelCase, ISO 8601 UTC times, no owner ids. */
export const threadJson = (row: ThreadRow) => ({
  id: row.id,
  title: row.title,
  lastSeq: row.lastSeq,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const messageJson = (row: MessageRow & { supersededBy?: string | null }) => ({
  id: row.id,
  threadId: row.threadId,
  seq: row.seq,
  role: row.role,
  content: row.content,
  status: row.status,
  usage: row.usage ?? null,
  supersededBy: row.supersededBy ?? null,
  createdAt: row.createdAt.toISOString(),
});

/** One shape for an event everywhere: REST pages, SSE, and the Grow Agent's live broadcast. */
export const eventJson = (row: Pick<EventRow, "seq" | "threadId" | "type" | "at" | "data">) => ({
  seq: row.seq,
  threadId: row.threadId,
  type: row.type,
  at: row.at.toISOString(),
  data: row.data,
});

/** The wire form of an event, as the SSE stream and the live connection carry it. */
export type EventJson = ReturnType<typeof eventJson>;
