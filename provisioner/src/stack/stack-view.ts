import { upRoles } from "./lifecycle";
import { STACK_ROLES, type StackEvent, type StackRecord, type StackView } from "./stack-record";

/** Progress events kept per stack (and served by `stackStatus(userId, afterSeq)`). */
export const MAX_EVENTS = 50;

/** The events after one more: the newest MAX_EVENTS, oldest first. */
export const appendEvent = (events: readonly StackEvent[], event: StackEvent): StackEvent[] =>
  [...events, event].slice(-MAX_EVENTS);

/** What callers see of a record and its events: copies of the resources, never the secrets. */
export function stackView(
  record: StackRecord,
  events: readonly StackEvent[],
  options: { edgeUrl: string; lastSeq: number; after: number },
): StackView {
  const machines: StackView["machines"] = {};
  for (const role of STACK_ROLES) {
    const resources = record.resources[role];
    if (resources) machines[role] = { ...resources };
  }
  return {
    status: record.status,
    app: record.app,
    region: record.region,
    machines,
    up: upRoles(record),
    edgeUrl: options.edgeUrl,
    lastError: record.lastError ?? null,
    lastActiveAt: new Date(record.lastActiveAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    events: events.filter((event) => event.seq > options.after),
    lastSeq: options.lastSeq,
  };
}
