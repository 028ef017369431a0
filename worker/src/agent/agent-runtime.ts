import type { RegenerateResult } from "../../../contract/actions";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { entitlements } from "../billing/entitlements";
import { openLongLivedDatabase } from "../db/open-database";
import type { Env } from "../env";
import type { GitManager } from "../git/git-manager";
import { MemoryCache } from "../memory/memory-cache";
import { memoryGit } from "../memory/memory-git";
import { MemoryService } from "../memory/memory-service";
import { ScheduleRunner } from "../schedules/schedule-runner";
import { type SubAgentActors, SubAgentCoordinator } from "../subagents/sub-agent-coordinator";
import { type AgentConfig, readAgentConfig } from "./agent-config";
import type { AgentEventData, AgentEventType } from "./agent-events";
import { ThreadEventLog } from "./event-log";
import type { StoredEvent } from "./event-pipeline";
import type { TextKv } from "./local-event-outbox";
import { MessageIntake } from "./message-intake";
import { RecoveryGate } from "./recovery-gate";
import { ReplyRegenerator } from "./reply-regenerator";
import { recoverAfterRestart } from "./restart-recovery";
import { type SendAnswer, SendsInFlight } from "./sends-in-flight";
import { TurnController } from "./turn-controller";
import { findInterruptedTurns, findUnansweredMessages, findUnfinishedSubAgents } from "./turn-recovery";
import { TurnRunner } from "./turn-runner";
import { UnloggedMessages } from "./unlogged-messages";

const RECOVERY_WAIT_MS = 10_000;

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
  scheduleTurnWatch(ms: number): Promise<void> | void;
  /** Asks for `runSchedules` at `at` (an alarm: the user's schedules run from it, worker/src/schedules/). */
  armSchedules(at: Date): void;
  /** Keeps the Durable Object working on a turn after the action that started it has answered. */
  keepAlive(work: Promise<unknown>): void;
  log: Logger;
}

/**
 * The Grow Agent's conversations: one turn at a time per thread (later messages queue), any number of threads
 * at once. Lives in the growAgent actor's vars; everything durable is in Postgres, so a fresh runtime after a
 * restart recovers from the log (`recover`). Wiring only: intake (`message-intake.ts`), the turn queues
 * (`turn-queue.ts`, carried out by `turn-controller.ts`), the event log (`event-log.ts`) and the loop (`run-turn.ts`).
 */
export class AgentRuntime {
  readonly config: AgentConfig;
  readonly subAgents: SubAgentCoordinator;
  readonly schedules: ScheduleRunner;
  readonly #events: ThreadEventLog;
  readonly #intake: MessageIntake;
  readonly #turns: TurnController;
  readonly #runner: TurnRunner;
  readonly #regenerator: ReplyRegenerator;
  readonly #unlogged: UnloggedMessages;
  readonly #sendsInFlight = new SendsInFlight();
  readonly #recovery: RecoveryGate;
  #db?: Database;
  #memory?: MemoryService;
  #git?: Promise<GitManager>;

  constructor(private readonly deps: AgentRuntimeDeps) {
    this.config = readAgentConfig(deps.env);
    this.#events = new ThreadEventLog({
      db: () => this.db,
      userId: deps.userId,
      kv: deps.kv,
      broadcast: (event) => deps.broadcast(event),
      keepAlive: (work) => deps.keepAlive(work),
      onThreadGone: (threadId) => this.cancel(threadId),
      log: deps.log,
    });
    this.#unlogged = new UnloggedMessages({ db: () => this.db, pendingEvents: () => this.#events.pending() });
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
    this.schedules = new ScheduleRunner({
      db: () => this.db,
      userId: deps.userId,
      now: () => new Date(),
      sendMessage: (threadId, text, options) => this.sendMessage(threadId, text, options),
      emit: (threadId, type, data) => this.emit(threadId, type, data),
      armAt: (at) => deps.armSchedules(at),
      log: deps.log,
    });
    this.#intake = new MessageIntake({
      db: () => this.db,
      userId: deps.userId,
      maxMessageChars: this.config.maxMessageChars,
      emit: (threadId, type, data) => this.emit(threadId, type, data),
    });
    this.#runner = new TurnRunner({
      env: deps.env,
      userId: deps.userId,
      config: this.config,
      db: () => this.db,
      memory: () => this.memory,
      subAgents: this.subAgents,
      schedulesChanged: () => void this.schedules.runDue().catch(() => {}),
      emit: (threadId, type, data) => this.emit(threadId, type, data),
      log: deps.log,
    });
    this.#turns = new TurnController({
      run: (turn) => this.#runner.run(turn),
      crashed: (turn, error) => this.#runner.crashed(turn, error),
      keepAlive: (work) => deps.keepAlive(work),
      scheduleTurnWatch: (ms) => deps.scheduleTurnWatch(ms),
      turnWatchMs: this.config.turnWatchMs,
    });
    this.#recovery = new RecoveryGate({
      run: () => this.#recover(),
      keepWatch: () => this.#turns.keepWatch(),
      waitMs: RECOVERY_WAIT_MS,
    });
    this.#regenerator = new ReplyRegenerator({
      db: () => this.db,
      userId: deps.userId,
      intake: this.#intake,
      turns: this.#turns,
      eventsShipped: (threadId, waitMs) => this.#events.shipped(threadId, waitMs),
      recovering: () => this.#recovery.running || this.#recovery.unfinished,
    });
  }

  /** One pool for the actor's life: a Durable Object may keep sockets across requests, and turns are long. */
  get db(): Database {
    this.#db ??= openLongLivedDatabase(this.deps.env);
    return this.#db;
  }

  /** The user's memory (L1 cache here, L2 session notes, L3 the git repository), shared by tools and REST. */
  get memory(): MemoryService {
    this.#memory ??= new MemoryService({
      db: this.db,
      userId: this.deps.userId,
      userRepo: async (options) => {
        this.#git ??= memoryGit({
          env: this.deps.env,
          db: this.db,
          userId: this.deps.userId,
          log: this.deps.log,
          background: (work) => this.deps.keepAlive(work),
          // The writes that waited for the machine land now, not at the next retry alarm.
          onAwake: () => void this.memory.drain().catch(() => {}),
        });
        return (await this.#git).userRepo(options);
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
    return this.#events.emit(threadId, type, data);
  }

  /**
   * Stores the message (acknowledged only once stored) and starts its turn, or queues it behind the running one.
   * A resend with the idempotency key of a stored message answers with that message (`replayed`) and runs nothing;
   * one that comes while the original is still being stored shares its answer (sends-in-flight.ts). The exception:
   * a message stored but never logged (a restart in between) is logged and answered by its resend
   * (unlogged-messages.ts), still `replayed`.
   */
  sendMessage(
    threadId: string,
    text: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<SendAnswer> {
    const key = options.idempotencyKey;
    if (key === undefined) return this.#send(threadId, text);
    return this.#sendsInFlight.run({ threadId, idempotencyKey: key, text }, () =>
      this.#send(threadId, text, key),
    );
  }

  async #send(threadId: string, text: string, idempotencyKey?: string): Promise<SendAnswer> {
    await this.#recovery.passed();
    const intake = await this.#intake.take(threadId, text, idempotencyKey);
    const { messageId } = intake;
    const replayed = intake.kind === "replayed";
    if (!replayed) this.#unlogged.taken(messageId);
    else if (!(await this.#unlogged.adopt(threadId, messageId))) {
      return { messageId, queued: this.#turns.isWaiting(threadId, messageId), replayed };
    }
    const queued = this.#turns.enqueue(threadId, messageId);
    try {
      await this.emit(threadId, "message.user", { messageId, text, queued });
    } finally {
      // Even when the event could not be written: the message is stored, and a resend with its key (answered
      // `replayed`) must not leave it waiting for a turn nobody starts.
      this.#turns.startNext(threadId);
    }
    // Answered only once the alarm that recovers its turn after a restart is set.
    await this.#turns.watchArmed();
    return { messageId, queued, replayed };
  }

  /** Replaces the thread's last reply with a new turn answering the same message (reply-regenerator.ts). */
  async regenerate(threadId: string, options: { idempotencyKey?: string } = {}): Promise<RegenerateResult> {
    await this.#recovery.passed();
    return this.#regenerator.regenerate(threadId, options.idempotencyKey);
  }

  /** Stops the thread's running turn; what streamed is kept as a partial message. Queued messages still run. */
  cancel(threadId: string): { cancelled: boolean } {
    return this.#turns.cancel(threadId);
  }

  /** Where a live stream of the thread must have read the log up to before it relies on pushes (event-log.ts). */
  eventCursor(threadId: string): Promise<number> {
    return this.#events.unshippedUpTo(threadId);
  }

  status(threadId: string): { running: string | null; queued: number } {
    return this.#turns.status(threadId);
  }

  /**
   * The turn-watch alarm fired: while turns still run here, set the next one; an unfinished recovery runs again.
   * While turns run an alarm stays pending (`AGENT_TURN_WATCH_SECONDS` ahead): if the Worker restarts mid-turn and
   * no client comes back, it still wakes the actor, whose recovery ends the turn and ships what was logged locally.
   */
  watchTurns(): void {
    this.#turns.watchFired({
      unfinished: this.#recovery.unfinished,
      running: this.#recovery.running,
      rerun: () => void this.recover().catch(() => {}),
    });
  }

  /**
   * Reads the user's system memory ahead of a client's first turn (a tab opened, a client connected), so that turn
   * does not wait for it. Not on every wake: an alarm's wake (a memory retry, say) needs none. From L2 alone: a
   * call to the user's stack would count as activity, and every page load would keep a running stack from its idle
   * suspend. What L2 cannot answer is left to the turn, which reads through to git (system-memory.ts).
   */
  prefetch(): Promise<void> {
    return this.memory.prefetchSystemFiles().catch(() => {});
  }

  /**
   * After a restart: turns that were running are marked interrupted (their streamed text kept as a partial
   * message), and messages that were waiting behind them get their turns.
   */
  recover(): Promise<void> {
    return this.#recovery.recover();
  }

  async #recover(): Promise<void> {
    await recoverAfterRestart(
      {
        log: {
          interruptedTurns: () => findInterruptedTurns(this.db, this.deps.userId),
          unfinishedSubAgents: (threadId, turnId) => findUnfinishedSubAgents(this.db, threadId, turnId),
          unansweredMessages: () => findUnansweredMessages(this.db, this.deps.userId),
        },
        pendingLocal: () => this.#events.pending(),
        shipPending: (pending, waitMs) => this.#events.shipPending(pending, waitMs),
        turnStartedHere: (turnId) => this.#turns.startedHere(turnId),
        messageTakenHere: (threadId, messageId) => this.#turns.takenHere(threadId, messageId),
        answer: (threadId, messageId) => {
          this.#turns.enqueue(threadId, messageId);
          this.#turns.startNext(threadId);
        },
        abandonSubAgent: (threadId, subAgentId, reason) =>
          this.subAgents.abandon(threadId, subAgentId, reason),
        savePartial: (threadId, turnId, text) => this.#runner.savePartial(threadId, turnId, text),
        emit: (threadId, type, data) => this.emit(threadId, type, data),
      },
      RECOVERY_WAIT_MS,
    );
    // Memory writes acknowledged before the restart and not yet in git.
    this.deps.keepAlive(
      this.memory.drain().catch((error) => this.deps.log.warn("memory drain failed", { error })),
    );
  }
}
