/**
 * What one unit of activity uses, from this repo's own measurements where it has them (docs/benchmarks.md, run of
 * 2026-12-05 18:13; docs/reliability.md, load run) and stated assumptions where it does not. `source` says which.
 */

export interface Tokens {
  /** Uncached input (the thread's history). */
  input: number;
  /** Cached prefix read (system prompt and tools, `cache_control: ephemeral` in worker/src/agent/system-prompt.ts). */
  cacheRead: number;
  /** Cache writes, amortised: the prefix is written again when a session starts or 5 minutes pass. */
  cacheWrite: number;
  output: number;
}

/** Tokens that count against an allowance: input + output + cache writes + a tenth of cache reads (usage-tokens.ts). */
export const billableTokens = (t: Tokens): number => t.input + t.output + t.cacheWrite + t.cacheRead / 10;

export const UNIT_USAGE = {
  turn: {
    /** The send and one refetch by the SPA (its live connection's messages are DO requests). Assumed. */
    workerRequests: 2,
    /** Worker CPU per request (auth, routing; the actor's own time is DO duration). Assumed: not measurable locally. */
    workerCpuMsPerRequest: 5,
    /** The send, the turn-watch alarm, one RPC from the Worker. Assumed. */
    doRequests: 3,
    /** Measured: load run of 2026-12-06, 10.2 (one user) to 12.6 (50 users, 1 turn in 15 writes memory). */
    dbRoundTrips: 12.6,
    /**
     * A 400-token reply at the model's pace (~60 tokens/s, a delta every ~40 ms) becomes ~170 text events at the
     * 25 ms batching (agent/pending-emits.ts), plus ~6 others (message, started, usage, reply, completed). Assumed
     * from that arithmetic: the load run's unpaced 30-word replies make 7–9 (docs/benchmarks.md, 2026-12-06).
     */
    events: 176,
    /** Each event written to the actor's SQLite outbox and marked shipped, plus the message rows. Assumed. */
    doRowsWrittenPerEvent: 2,
    /** Bytes stored per event (Postgres log, and the actor's copy). Assumed. */
    bytesPerEvent: 300,
    /** The actor in memory while the model streams a turn. Assumed (dev/model's ~30-word reply is faster). */
    actorSeconds: 8,
    /** Per turn: ~4k of history, a 3k cached prefix (written again in 1 turn of 5), 400 tokens out. Assumed. */
    tokens: { input: 4_000, cacheRead: 3_000, cacheWrite: 600, output: 400 } satisfies Tokens,
  },
  memoryWrite: {
    workerRequests: 1,
    /** Outbox insert, claim, `memory_versions` insert + mark done, entitlements. Assumed (not counted by the bench). */
    dbRoundTrips: 6,
    /** A version (ADR 0008: "a few KiB") plus its outbox row. Assumed. */
    bytes: 5_000,
    doRequests: 1,
  },
  subAgentMinute: {
    /** Relay batches from the sub-agent into the Grow Agent (4 parallel: 26 events/s measured). Assumed 1 per second. */
    doRequests: 60,
    /** Events shipped, session rows, gateway metering. Assumed. */
    dbRoundTrips: 20,
    /** Gateway requests (model calls from the sandbox through the Worker). Assumed 3 per minute. */
    workerRequests: 3,
    /** Both actors (sub-agent and Grow Agent) stay in memory while it runs. */
    residentActors: 2,
    /** OpenCode's loop: a large cached context per call. Assumed. */
    tokens: { input: 3_000, cacheRead: 30_000, cacheWrite: 2_000, output: 800 } satisfies Tokens,
  },
  pageLoad: {
    /** /api/me, threads (1 round trip measured), billing, stack, events, the RivetKit upgrade. Assumed. */
    workerRequests: 6,
    dbRoundTrips: 4,
  },
  machines: {
    /** runtime machine spec (provisioner/src/stack/machine-spec.ts): OpenCode 1024 MB, Gitea 512 MB. */
    opencodeMemoryGb: 1,
    giteaMemoryGb: 0.5,
    /** Used rootfs of each image. Assumed (images not built here). */
    opencodeRootfsGb: 0.8,
    giteaRootfsGb: 0.25,
    /** One 1 GB volume per machine (workspace, Gitea data). */
    volumeGb: 1,
    /** Resume from suspend: Fly says "a few hundred ms"; measured locally p50 58.8 ms (SIGCONT). */
    wakeSeconds: 0.5,
  },
  /** The user's LiveHub (worker/src/live/, decision 0011): what the SPA's tab costs when the agent hibernates. */
  hub: {
    /**
     * Publish calls per turn while a tab listens: one per batch (5 ms window), and the text events of a paced reply
     * are ~40 ms apart, so about one per event. Quiet (no socket): none after the first (measured 0.1 per turn).
     */
    publishesPerEvent: 1,
    /** The SPA hands the hub a fresh token ~10 s before its 60 s token expires: one message per ~50 s. */
    renewalsPerTabHour: 72,
    /** WebSocket messages in are billed as requests at 20:1 (prices.ts). */
    messagesPerRequest: 20,
    /** Per page load: the socket's upgrade and the hub's `hubListening` call to the agent. */
    requestsPerPageLoad: 2,
    /**
     * Billed duration per publish or renewal: the handler's run only, since an object that is idle and eligible for
     * hibernation is not billed, "even before the runtime has hibernated" it (Cloudflare's Durable Objects pricing,
     * read 2026-12-06). Assumed 2 ms (a renewal verifies a JWT; a publish sends a few frames).
     */
    handlerSeconds: 0.002,
  },
  actor: {
    /** DO memory billed while resident. */
    memoryGb: 0.128,
    /** A hibernatable object is evicted after ~10 s without events (checked locally 2026-12-05). */
    hibernationGraceSeconds: 10,
  },
  database: {
    /** Round trips one Neon CU serves per second at these short statements. Assumed. */
    roundTripsPerCuSecond: 500,
    /** Compute kept above the average load. Assumed. */
    headroom: 1.5,
    /** Stored data is what a year of the mix leaves (no pruning today, ADR 0008). */
    monthsOfHistory: 12,
  },
} as const;
