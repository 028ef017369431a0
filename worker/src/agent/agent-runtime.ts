import type Anthropic from "@anthropic-ai/sdk";
import { UserError } from "rivetkit/errors";
import { uuidv7 } from "uuidv7";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { AllowanceExceededError, assertCanStartTurn, entitlements } from "../billing/entitlements";
import { openDatabase } from "../db/open-database";
import type { Env } from "../env";
import { createGitManager, type GitManager } from "../git/git-manager";
import { MemoryCache } from "../memory/memory-cache";
import { MemoryService } from "../memory/memory-service";
import {
  appendMessage,
  appendUserMessage,
  findMessageByIdempotencyKey,
  lastEventSeq,
  storeSequencedEvents,
} from "../threads/thread-log.repository";
import { findThread } from "../threads/threads.repository";
import { type AgentConfig, createModelClient, readAgentConfig } from "./agent-config";
import type { AgentEventData, AgentEventType } from "./agent-events";
import { selectContext } from "./context-window";
import { loadHistory } from "./conversation-history";
import { EventPipeline, type StoredEvent, ThreadGoneError } from "./event-pipeline";
import { EventShipper } from "./event-shipper";
import { LocalEventOutbox, type TextKv } from "./local-event-outbox";
import { recoverAfterRestart } from "./restart-recovery";
import { runTurn, type StoredMessage } from "./run-turn";
import { type SubAgentActors, SubAgentCoordinator } from "./sub-agent-coordinator";
import { buildSystemPrompt } from "./system-prompt";
import { agentTools } from "./tools";
import { findInterruptedTurns, findUnansweredMessages, findUnfinishedSubAgents } from "./turn-recovery";
import { recordUsage } from "./usage-meter";

const RECOVERY_WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The text of a stored user message (content blocks as sent to the model). */
const textOf = (content: unknown) =>
  Array.isArray(content)
    ? content.map((block: { text?: unknown }) => String(block?.text ?? "")).join("")
    : "";

/** What a client may use as an idempotency key: printable ASCII (a UUID, say), as for memory writes. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;

export interface AgentRuntimeDeps {
  env: Env;
  userId: string;
  /** The actor's own storage (`c.kv`): the local outbox events are written to first. */
  kv: TextKv;
  /** Sends a stored event to every connection of the user's Grow Agent. */
  broadcast(event: StoredEvent): void;
  /** Starts and cancels this user's subAgent actors. */
  subAgentActors: SubAgentActors;
  /** Asks for `drainMemory` after `ms` (an actor schedule, i.e. a Durable Object alarm). */
  scheduleMemoryRetry(ms: number): void;
  /** Asks for `watchTurns` after `ms` (an alarm: it survives a restart and wakes the actor). */
  scheduleTurnWatch(ms: number): void;
  /** Keeps the Durable Object working on a turn after the action that started it has answered. */
  keepAlive(work: Promise<unknown>): void;
  log: Logger;
}

interface ThreadTurns {
  running?: { turnId: string; controller: AbortController };
  /** Stored user messages waiting for the running turn to end, oldest first. */
  queue: string[];
}

/** Deltas wait up to this long to be shipped to Postgres together (clients have them at once from the outbox). */
const SHIP_LINGER_MS = 50;
const STREAMED_DELTAS: ReadonlySet<string> = new Set(["text.delta", "subagent.text"]);

/**
 * The Grow Agent's conversations: one turn at a time per thread (later messages queue), any number of threads
 * at once. Lives in the growAgent actor's vars; everything durable is in Postgres, so a fresh runtime after a
 * restart recovers from the log (`recover`).
 */
export class AgentRuntime {
  readonly config: AgentConfig;
  readonly #anthropic: Anthropic;
  readonly #pipeline: EventPipeline;
  readonly #outbox: LocalEventOutbox;
  readonly #shipper: EventShipper;
  /** Last seq given out per thread. This actor is the only writer of its user's thread events. */
  readonly #lastSeqs = new Map<string, number>();
  readonly #threads = new Map<string, ThreadTurns>();
  readonly subAgents: SubAgentCoordinator;
  #db?: Database;
  #recovering?: Promise<void>;
  /** When the pending turn-watch alarm fires (0: none pending from this instance). */
  #watchAt = 0;
  /** Turns this instance started and the messages they answer: what recovery must leave alone. */
  readonly #startedHere = { turns: new Set<string>(), messages: new Set<string>() };
  /** The last recovery could not finish (database away, log not whole): the turn-watch alarm runs it again. */
  #recoveryUnfinished = false;
  #memory?: MemoryService;
  #git?: Promise<GitManager>;

  constructor(private readonly deps: AgentRuntimeDeps) {
    this.config = readAgentConfig(deps.env);
    this.#anthropic = createModelClient(deps.env);
    this.#outbox = new LocalEventOutbox(deps.kv);
    this.#shipper = new EventShipper({
      ship: async (threadId, events) =>
        (await storeSequencedEvents(this.db, { userId: deps.userId, threadId, events }))
          ? "stored"
          : "thread_gone",
      shipped: (events) => this.#outbox.remove(events),
      onThreadGone: (threadId) => this.cancel(threadId),
      onRetry: (threadId, attempt, error) =>
        deps.log.warn("event shipping to Postgres failed; retrying", { threadId, attempt, error }),
      linger: { types: STREAMED_DELTAS, ms: SHIP_LINGER_MS },
    });
    this.subAgents = new SubAgentCoordinator({
      db: () => this.db,
      userId: deps.userId,
      actors: deps.subAgentActors,
      emit: (threadId, type, data) => this.emit(threadId, type, data),
      // The plan decides; AGENT_MAX_PARALLEL_SUBAGENTS can only lower it (a deployment-wide ceiling).
      maxParallel: async () =>
        Math.min(
          (await entitlements(this.db, deps.userId)).maxParallelSubAgents,
          this.config.maxParallelSubAgents,
        ),
      timeoutMs: this.config.subAgentTimeoutMs,
      log: deps.log,
    });
    this.#pipeline = new EventPipeline({
      persist: (threadId, batch) => this.#writeLocally(threadId, batch),
      deliver: (event) => deps.broadcast(event),
    });
  }

  /** Seqs given out here, stored in the actor's storage, then shipped to Postgres in the background. */
  async #writeLocally(threadId: string, batch: ReadonlyArray<{ type: string; data: unknown }>) {
    const last = this.#lastSeqs.get(threadId) ?? (await this.#loadLastSeq(threadId));
    const at = new Date();
    const events = batch.map((e, i) => ({ threadId, seq: last + i + 1, type: e.type, data: e.data, at }));
    await this.#outbox.append(events);
    this.#lastSeqs.set(threadId, last + events.length);
    this.deps.keepAlive(this.#shipper.enqueue(threadId, events));
    return events;
  }

  async #loadLastSeq(threadId: string): Promise<number> {
    const [local, stored] = await Promise.all([
      this.#outbox.lastSeq(threadId),
      lastEventSeq(this.db, this.deps.userId, threadId),
    ]);
    if (stored === undefined) throw new ThreadGoneError(threadId);
    return Math.max(local ?? 0, stored);
  }

  /** One pool for the actor's life: a Durable Object may keep sockets across requests, and turns are long. */
  get db(): Database {
    this.#db ??= openDatabase(this.deps.env);
    return this.#db;
  }

  /** The user's memory (L1 cache here, L2 session notes, L3 the git repository), shared by tools and REST. */
  get memory(): MemoryService {
    this.#memory ??= new MemoryService({
      db: this.db,
      userId: this.deps.userId,
      userRepo: async () => {
        this.#git ??= createGitManager(this.deps.env, this.db, this.deps.log);
        return (await this.#git).userRepo(this.deps.userId);
      },
      cache: new MemoryCache(),
      scheduleRetry: (ms) => this.deps.scheduleMemoryRetry(ms),
      // The thread whose commit_memory made the write hears that it was set aside (REST writers get the 422).
      onWriteFailed: ({ threadId, ...failure }) => {
        if (!threadId) return;
        this.emit(threadId, "memory.write_failed", failure).catch((error) =>
          this.deps.log.warn("could not tell the thread about a failed memory write", { threadId, error }),
        );
      },
      log: this.deps.log,
    });
    return this.#memory;
  }

  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<StoredEvent> {
    return this.#pipeline.emit(threadId, type, data);
  }

  /**
   * Stores the message (acknowledged only once stored) and starts its turn, or queues it behind the running one.
   * A resend with the idempotency key of a stored message answers with that message (`replayed`) and runs nothing.
   */
  async sendMessage(
    threadId: string,
    text: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ messageId: string; queued: boolean; replayed: boolean }> {
    await this.#afterRecovery();
    if (!UUID.test(threadId)) throw threadNotFound();
    const { idempotencyKey } = options;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new UserError("The idempotency key must be 1 to 200 printable characters", {
        code: "idempotency_key_invalid",
      });
    }
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new UserError("The message is empty", { code: "message_empty" });
    if (text.length > this.config.maxMessageChars) {
      throw new UserError(`The message is longer than ${this.config.maxMessageChars} characters`, {
        code: "message_too_long",
      });
    }
    if (text.includes("\u0000")) {
      // Postgres cannot store NUL in jsonb. Another user's thread is still just "not found".
      if (!(await findThread(this.db, this.deps.userId, threadId))) throw threadNotFound();
      throw new UserError("The message must not contain NUL characters", { code: "message_invalid" });
    }
    const owner = { userId: this.deps.userId, threadId };
    const earlier =
      idempotencyKey === undefined
        ? undefined
        : await findMessageByIdempotencyKey(this.db, { ...owner, idempotencyKey });
    // Before the allowance: the message was stored while there were tokens left.
    if (earlier) return this.#replayed(threadId, earlier, text);
    await this.#assertAllowance(threadId);
    const stored = await appendUserMessage(this.db, {
      ...owner,
      content: [{ type: "text", text }],
      idempotencyKey,
    });
    if (!stored) throw threadNotFound();
    if (stored.replayed) return this.#replayed(threadId, stored.message, text);
    const message = stored.message;
    const turns = this.#turns(threadId);
    const queued = turns.running !== undefined || turns.queue.length > 0;
    turns.queue.push(message.id);
    try {
      await this.emit(threadId, "message.user", { messageId: message.id, text, queued });
    } finally {
      // Even when the event could not be written: the message is stored, and a resend with its key (answered
      // `replayed`) must not leave it waiting for a turn nobody starts.
      this.#startNext(threadId);
    }
    return { messageId: message.id, queued, replayed: false };
  }

  /** The answer to a resend of `message` (stored under the same key), unless the key came with other text. */
  #replayed(threadId: string, message: { id: string; content: unknown }, text: string) {
    if (textOf(message.content) !== text) {
      throw new UserError("This idempotency key was already used for a different message", {
        code: "idempotency_key_reused",
      });
    }
    const queued = this.#threads.get(threadId)?.queue.includes(message.id) ?? false;
    return { messageId: message.id, queued, replayed: true };
  }

  /**
   * Refuses new work once the plan's tokens are used up, before anything is stored: the caller gets 402
   * `allowance_exceeded`, and the thread gets a notice the UI shows with the upgrade link.
   */
  async #assertAllowance(threadId: string): Promise<void> {
    try {
      await assertCanStartTurn(this.db, this.deps.userId);
    } catch (error) {
      if (!(error instanceof AllowanceExceededError)) throw error;
      await this.emit(threadId, "agent.notice", {
        code: error.code,
        message: error.message,
        upgradePath: error.upgradePath,
      }).catch(() => {});
      throw new UserError(error.message, {
        code: error.code,
        metadata: { upgradePath: error.upgradePath, upgradePlan: error.upgradePlan },
      });
    }
  }

  /** Stops the thread's running turn; what streamed is kept as a partial message. Queued messages still run. */
  cancel(threadId: string): { cancelled: boolean } {
    const running = this.#threads.get(threadId)?.running;
    running?.controller.abort();
    return { cancelled: running !== undefined };
  }

  status(threadId: string): { running: string | null; queued: number } {
    const turns = this.#threads.get(threadId);
    return { running: turns?.running?.turnId ?? null, queued: turns?.queue.length ?? 0 };
  }

  /**
   * The turn-watch alarm fired: while turns still run here, set the next one; an unfinished recovery runs again.
   * A call before this instance's alarm is due (a stale alarm from before a restart, or a client) changes nothing,
   * so there is only ever one chain of alarms.
   */
  watchTurns(): void {
    if (this.#watchAt > Date.now() + 1_000) return;
    this.#watchAt = 0;
    if (this.#recoveryUnfinished && !this.#recovering) void this.recover().catch(() => {});
    const running = [...this.#threads.values()].some((t) => t.running);
    if (running || this.#recoveryUnfinished) this.#keepWatch();
  }

  /**
   * While turns run, an alarm stays pending (`AGENT_TURN_WATCH_SECONDS` ahead): if the Worker restarts mid-turn and
   * no client comes back, it still wakes the actor, whose recovery ends the turn and ships what was logged locally.
   */
  #keepWatch(): void {
    if (this.#watchAt > Date.now()) return;
    this.#watchAt = Date.now() + this.config.turnWatchMs;
    this.deps.scheduleTurnWatch(this.config.turnWatchMs);
  }

  /**
   * After a restart: turns that were running are marked interrupted (their streamed text kept as a partial
   * message), and messages that were waiting behind them get their turns.
   */
  recover(): Promise<void> {
    this.#recovering = this.#recover()
      .then(
        () => {
          this.#recoveryUnfinished = false;
        },
        (error: unknown) => {
          this.#recoveryUnfinished = true;
          this.#keepWatch();
          throw error;
        },
      )
      .finally(() => {
        this.#recovering = undefined;
      });
    return this.#recovering;
  }

  /**
   * New work waits for recovery (bounded): otherwise a message stored during recovery would look unanswered to
   * it and run twice, and a turn started during it would look interrupted.
   */
  async #afterRecovery(): Promise<void> {
    if (!this.#recovering) return;
    await Promise.race([this.#recovering.catch(() => {}), sleep(RECOVERY_WAIT_MS)]);
  }

  async #recover(): Promise<void> {
    await recoverAfterRestart(
      {
        log: {
          interruptedTurns: () => findInterruptedTurns(this.db, this.deps.userId),
          unfinishedSubAgents: (threadId, turnId) => findUnfinishedSubAgents(this.db, threadId, turnId),
          unansweredMessages: () => findUnansweredMessages(this.db, this.deps.userId),
        },
        pendingLocal: () => this.#outbox.pending(),
        shipPending: async (pending, waitMs) => {
          for (const [threadId, events] of pending) this.#shipper.enqueue(threadId, events);
          await Promise.race([this.#shipper.idle(), sleep(waitMs)]);
        },
        turnStartedHere: (turnId) => this.#startedHere.turns.has(turnId),
        messageTakenHere: (threadId, messageId) =>
          this.#startedHere.messages.has(messageId) || this.#turns(threadId).queue.includes(messageId),
        answer: (threadId, messageId) => {
          this.#turns(threadId).queue.push(messageId);
          this.#startNext(threadId);
        },
        abandonSubAgent: (threadId, subAgentId, reason) =>
          this.subAgents.abandon(threadId, subAgentId, reason),
        savePartial: (threadId, text) =>
          this.#saveMessage(threadId, {
            role: "assistant",
            content: [{ type: "text", text }],
            status: "partial",
          }),
        emit: (threadId, type, data) => this.emit(threadId, type, data),
      },
      RECOVERY_WAIT_MS,
    );
    // Memory writes acknowledged before the restart and not yet in git.
    this.deps.keepAlive(
      this.memory.drain().catch((error) => this.deps.log.warn("memory drain failed", { error })),
    );
  }

  #turns(threadId: string): ThreadTurns {
    let turns = this.#threads.get(threadId);
    if (!turns) {
      turns = { queue: [] };
      this.#threads.set(threadId, turns);
    }
    return turns;
  }

  #startNext(threadId: string): void {
    const turns = this.#turns(threadId);
    if (turns.running) return;
    const messageId = turns.queue.shift();
    if (!messageId) {
      this.#threads.delete(threadId);
      return;
    }
    const running = { turnId: uuidv7(), controller: new AbortController() };
    turns.running = running;
    this.#startedHere.turns.add(running.turnId);
    this.#startedHere.messages.add(messageId);
    this.#keepWatch();
    const work = this.#runTurn(
      threadId,
      messageId,
      running.turnId,
      running.controller.signal,
      new Set(turns.queue),
    )
      .catch(async (error) => {
        // runTurn ends every turn it starts; this is a failure around it (history, system memory): end it too.
        this.deps.log.error("turn crashed", { threadId, turnId: running.turnId, error });
        await this.emit(threadId, "turn.failed", {
          turnId: running.turnId,
          code: "turn_failed",
          message: "The turn failed unexpectedly; the thread is still usable",
          retryable: true,
          messageId,
        }).catch(() => {});
      })
      .finally(() => {
        turns.running = undefined;
        this.#startNext(threadId);
      });
    this.deps.keepAlive(work);
  }

  async #runTurn(
    threadId: string,
    messageId: string,
    turnId: string,
    signal: AbortSignal,
    waiting: Set<string>,
  ) {
    const { env, userId } = this.deps;
    const tools = agentTools();
    const history = selectContext(
      await loadHistory(this.db, threadId, messageId, waiting),
      this.config.contextTokens,
    );
    const outcome = await runTurn(turnId, messageId, history, {
      anthropic: this.#anthropic,
      settings: this.config,
      system: buildSystemPrompt({ toolNames: tools.names, systemMemory: await this.memory.systemFiles() }),
      tools,
      toolContext: {
        userId,
        threadId,
        db: this.db,
        env,
        memory: this.memory,
        signal,
        spawnSubAgent: (task, skills) => this.subAgents.spawn({ threadId, turnId, task, skills, signal }),
      },
      emit: async (type, data) => {
        await this.emit(threadId, type, data);
      },
      saveMessage: (message) => this.#saveMessage(threadId, message),
      recordUsage: (step, model, usage) =>
        recordUsage(this.db, { userId, threadId, turnKey: `${turnId}:${step}`, model, usage }),
    });
    if (outcome.status === "failed")
      this.deps.log.warn("turn failed", { threadId, turnId, code: outcome.code });
  }

  async #saveMessage(threadId: string, message: StoredMessage): Promise<string> {
    const row = await appendMessage(this.db, {
      userId: this.deps.userId,
      threadId,
      role: message.role,
      content: message.content,
      status: message.status,
      usage: message.usage ?? null,
    });
    if (!row) throw new Error(`Thread ${threadId} no longer exists`);
    return row.id;
  }
}

const threadNotFound = () => new UserError("No such thread", { code: "thread_not_found" });
