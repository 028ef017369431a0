import type Anthropic from "@anthropic-ai/sdk";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { pokeUsageReports } from "../billing/usage-report-poke";
import type { Env } from "../env";
import type { MemoryService } from "../memory/memory-service";
import type { SubAgentCoordinator } from "../subagents/sub-agent-coordinator";
import { supersedeTurn } from "../threads/regeneration.repository";
import { appendMessage } from "../threads/thread-log.repository";
import { type AgentConfig, createModelClient } from "./agent-config";
import type { AgentEventData, AgentEventType } from "./agent-events";
import { selectContext } from "./context-window";
import { loadHistory } from "./conversation-history";
import { runTurn, type StoredMessage } from "./run-turn";
import { buildSystemPrompt } from "./system-prompt";
import { agentTools } from "./tools";
import type { Replacement, TurnStart } from "./turn-controller";
import { recordUsage } from "./usage-meter";

export interface TurnRunnerDeps {
  env: Env;
  userId: string;
  config: AgentConfig;
  db(): Database;
  memory(): MemoryService;
  subAgents: SubAgentCoordinator;
  /** A tool created or changed a schedule: the actor re-arms its alarm. */
  schedulesChanged(): void;
  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<unknown>;
  log: Logger;
}

/** Runs one turn of the loop (`run-turn.ts`) with this user's history, memory, tools and model client. */
export class TurnRunner {
  readonly #anthropic: Anthropic;

  constructor(private readonly deps: TurnRunnerDeps) {
    this.#anthropic = createModelClient(deps.env);
  }

  async run({ threadId, messageId, turnId, signal, waiting, replaces }: TurnStart): Promise<void> {
    const { deps } = this;
    const { env, userId } = deps;
    if (replaces) await this.#supersede({ threadId, messageId, turnId }, replaces);
    const tools = agentTools();
    // Independent reads (Postgres, and the user's memory, usually cached): both at once.
    const [stored, systemMemory] = await Promise.all([
      loadHistory(deps.db(), threadId, messageId, waiting, { regenerated: replaces !== undefined }),
      deps.memory().systemFiles(),
    ]);
    const history = selectContext(stored, deps.config.contextTokens);
    const outcome = await runTurn(turnId, messageId, history, {
      anthropic: this.#anthropic,
      settings: deps.config,
      system: buildSystemPrompt({ toolNames: tools.names, systemMemory }),
      tools,
      toolContext: {
        userId,
        threadId,
        db: deps.db(),
        env,
        memory: deps.memory(),
        signal,
        spawnSubAgent: (task, skills) => deps.subAgents.spawn({ threadId, turnId, task, skills, signal }),
        schedulesChanged: () => deps.schedulesChanged(),
      },
      emit: async (type, data) => {
        await deps.emit(threadId, type, data);
      },
      saveMessage: (message) => this.saveMessage(threadId, turnId, message),
      recordUsage: async (step, model, usage) => {
        await recordUsage(deps.db(), { userId, threadId, turnKey: `${turnId}:${step}`, model, usage });
        // Off the turn's path: the next step need not wait for a Durable Object call (the poke never rejects).
        void pokeUsageReports(env);
      },
      started: replaces !== undefined,
    });
    if (outcome.status === "failed") deps.log.warn("turn failed", { threadId, turnId, code: outcome.code });
  }

  /**
   * A regenerated reply: `turn.started` is logged first, so that from then on the new turn is what recovery finds
   * (interrupted when cut) and what a later regenerate replaces. Then the old turn is recorded as replaced (its
   * messages leave every later history, conversation-history.ts) and `turn.superseded` tells clients to hide it. (The old
   * turn has ended, so its sub-agents have too: a turn waits for them, and cancels those it stops waiting for.)
   */
  async #supersede(turn: { threadId: string; messageId: string; turnId: string }, replaces: Replacement) {
    const { threadId, messageId, turnId } = turn;
    const { deps } = this;
    await deps.emit(threadId, "turn.started", { turnId, messageId, model: deps.config.model });
    const replaced = await supersedeTurn(deps.db(), {
      userId: deps.userId,
      threadId,
      supersededTurnId: replaces.turnId,
      turnId,
      messageId,
      idempotencyKey: replaces.idempotencyKey,
    });
    // Never for a turn found through findLastTurn (it skips replaced turns); a clash fails this turn instead.
    if (!replaced) throw new Error(`Turn ${replaces.turnId} was already replaced`);
    await deps.emit(threadId, "turn.superseded", { turnId: replaces.turnId, byTurnId: turnId, messageId });
  }

  /** `run` threw: runTurn ends every turn it starts, so this is a failure around it (history, system memory). */
  async crashed({ threadId, turnId, messageId }: TurnStart, error: unknown): Promise<void> {
    this.deps.log.error("turn crashed", { threadId, turnId, error });
    await this.deps
      .emit(threadId, "turn.failed", {
        turnId,
        code: "turn_failed",
        message: "The turn failed unexpectedly; the thread is still usable",
        retryable: true,
        messageId,
      })
      .catch(() => {});
  }

  /** Stores the text turn `turnId` had streamed when it was cut (recovery) as a partial assistant message. */
  savePartial(threadId: string, turnId: string, text: string): Promise<string> {
    return this.saveMessage(threadId, turnId, {
      role: "assistant",
      content: [{ type: "text", text }],
      status: "partial",
    });
  }

  /** Stores a message turn `turnId` wrote (its id lets a regenerated reply leave them all out of histories). */
  async saveMessage(threadId: string, turnId: string, message: StoredMessage): Promise<string> {
    const row = await appendMessage(this.deps.db(), {
      userId: this.deps.userId,
      threadId,
      turnId,
      role: message.role,
      content: message.content,
      status: message.status,
      usage: message.usage ?? null,
    });
    if (!row) throw new Error(`Thread ${threadId} no longer exists`);
    return row.id;
  }
}
