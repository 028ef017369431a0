import type { AgentEventData as ContractEventData } from "../../../contract/events";

/**
 * Events the Grow Agent writes to a thread's log (Postgres `events`, gapless `seq`) and broadcasts to the
 * user's connections as `event` (`{ threadId, seq, type, data, at }`). Clients render from these alone.
 *
 * The payloads are defined once, as zod schemas shared with the SPA, in contract/events.ts: add or change an
 * event there.
 */
export type AgentEventData = ContractEventData;

export type AgentEventType = keyof AgentEventData;

export type EmitEvent = <T extends AgentEventType>(type: T, data: AgentEventData[T]) => Promise<void>;
