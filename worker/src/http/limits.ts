/**
 * The abuse limits of the public API, in one place, each with the reason for its value. Code reads them from
 * here; per-plan limits (tokens, parallel sub-agents, stack starts per hour) are in `billing/plans.ts` because
 * they are what a plan sells.
 */
import { retryAfterSecondsOf } from "../../../contract/error-codes";

/**
 * Request bodies: every JSON body of the API is small (a message is at most AGENT_MAX_MESSAGE_CHARS = 16 000
 * characters, ~48 KiB escaped), so 64 KiB leaves room without letting a client make us buffer megabytes.
 */
export const MAX_BODY_BYTES = 64 * 1024;
/** A memory file may be 256 KiB of text; JSON escaping (newlines, quotes) can nearly triple that. */
export const MAX_MEMORY_BODY_BYTES = 768 * 1024;
/** Stripe's events (an invoice with many lines) can exceed the default; they are signed, so size is their only risk. */
export const MAX_WEBHOOK_BODY_BYTES = 512 * 1024;
/**
 * RivetKit's manager calls (find or create an actor by name+key) carry a name, a key of at most two short parts
 * and no input from clients: 4 KiB is ample, and keeps strangers from parking large inputs in Durable Objects.
 */
export const MAX_RIVET_MANAGER_BODY_BYTES = 4 * 1024;
/**
 * An action sent over HTTP carries the same arguments as one sent over the actor's WebSocket, whose limit is the
 * registry's `maxIncomingMessageSize` (a memory file committed through `commitMemory`): the same bound as
 * MAX_MEMORY_BODY_BYTES (limits.test.ts holds them equal).
 */
export const MAX_RIVET_ACTION_BODY_BYTES = 768 * 1024;

/**
 * Model gateway calls from the user's sandbox: longer than any prompt OpenCode sends within a 200k-token context,
 * far below the Messages API's own 32 MB.
 */
export const MAX_GATEWAY_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Requests per user: 300 per 60 s, one budget for the REST API, RivetKit's routes and the model gateway. The
 * `USER_RATE_LIMITER` binding in wrangler.toml holds the numbers (a binding cannot read them from code). Five a
 * second on average is far above what the SPA sends, even while streaming, and low enough that one user cannot
 * starve the database for the others. A limited caller waits one window: the binding's
 * `ratelimits.simple.period`, the longest a limited caller must wait.
 */
export const RATE_LIMIT_WINDOW_SECONDS = 60;

/**
 * Live SSE streams (`GET /api/threads/:id/events` with `Accept: text/event-stream`) one user may hold at once.
 * Each stream holds a database connection and polls it every 250 ms–1 s, so streams are the costliest thing a
 * client can keep open. Eight covers a user with the SPA open in several tabs plus a CLI; the ninth is refused
 * with 429 `too_many_streams` until one closes (streams also end by themselves after `MAX_STREAM_MS`).
 */
export const MAX_EVENT_STREAMS_PER_USER = 8;
/** A slot frees as soon as one of the user's streams closes, which cannot be predicted: retry soon. */
export const EVENT_STREAM_RETRY_AFTER_SECONDS = retryAfterSecondsOf("too_many_streams");
/**
 * Sockets one user's live hub holds at once, per kind: the SPA's (a tab each) and the Worker's own for SSE streams
 * (counted per isolate above, so the hub bounds them across isolates). Past it a new one is refused with 429
 * `too_many_streams`: a client reconnecting in a loop cannot grow the hub, whose every broadcast visits each socket.
 */
export const MAX_LIVE_SOCKETS_PER_USER = { spa: 16, sse: 4 * MAX_EVENT_STREAMS_PER_USER } as const;
/** The largest message a client may send on the live channel (a renewal carries a session token). */
export const MAX_LIVE_MESSAGE_BYTES = 16 * 1024;
/** Every stream ends after this and the client reconnects with Last-Event-ID, so no request lives forever. */
export const MAX_STREAM_MS = 5 * 60_000;

/**
 * Stack bring-ups (creating or waking the user's Fly machines) are counted per user over this window against the
 * plan's `stackStartsPerHour` (billing/plans.ts): each one costs real machine time, and a script calling
 * `POST /api/stack/wake` (or delegating to a sub-agent) after every idle suspend could keep machines running (and Fly's API busy) for free.
 */
export const STACK_START_WINDOW_SECONDS = 60 * 60;
/**
 * Bring-ups are counted from the stack's progress events, of which the provisioner keeps the last 50; a bring-up
 * with its suspend makes at most 6 events, so the window holds at least 8 bring-ups. A plan cap above this
 * could not be counted from the events and must not be configured (plans.test.ts checks).
 */
export const MAX_COUNTABLE_STACK_STARTS = 8;

/**
 * Sub-agents: the plan's `maxParallelSubAgents` decides, under the deployment-wide ceiling
 * `AGENT_MAX_PARALLEL_SUBAGENTS` (default and maximum 32, agent/agent-config.ts): each sub-agent is an OpenCode
 * session using the platform's model tokens and the user's sandbox CPU.
 */
export const MAX_PARALLEL_SUBAGENTS_CEILING = 32;

/**
 * Model gateway calls one user may have in flight at once (per isolate, like SSE streams): the allowance check
 * sees only finished calls, so without a cap a sandbox could start many long calls together and spend far past
 * its plan before the first is metered (each call is also refused up front when its estimate exceeds what is
 * left, gateway/call-estimate.ts, so the overshoot is at most this many estimates). OpenCode runs one call per
 * session at a time; 16 covers the largest plan's parallel sub-agents plus their title/summary calls. A refused
 * call gets 429 `rate_limit_error` with `retry-after`, which OpenCode's client retries: excess calls queue.
 */
export const MAX_GATEWAY_CALLS_PER_USER = 16;
