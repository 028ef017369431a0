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
  /** Resolves once the events given out are in Postgres (bounded): the replaced turn's are read back from it. */
  eventsShipped(): Promise<void>;
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
    const history = selectContext(
      await loadHistory(deps.db(), threadId, messageId, waiting),
      deps.config.contextTokens,
    );
    const outcome = await runTurn(turnId, messageId, history, {
      anthropic: this.#anthropic,
      settings: deps.config,
      system: buildSystemPrompt({ toolNames: tools.names, systemMemory: await deps.memory().systemFiles() }),
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
      saveMessage: (message) => this.saveMessage(threadId, message),
      recordUsage: async (step, model, usage) => {
        await recordUsage(deps.db(), { userId, threadId, turnKey: `${turnId}:${step}`, model, usage });
        // Off the turn's path: the next step need not wait for a Durable Object call (the poke never rejects).
        void pokeUsageReports(env);
      },
    });
    if (outcome.status === "failed") deps.log.warn("turn failed", { threadId, turnId, code: outcome.code });
  }

  /**
   * A regenerated reply: before its history is read, the replaced turn's messages are marked so that neither this
   * turn nor any later one sends them to the model, then `turn.superseded` tells clients to hide it.
   */
  async #supersede(turn: { threadId: string; messageId: string; turnId: string }, replaces: Replacement) {
    const { threadId, messageId, turnId } = turn;
    await this.deps.eventsShipped();
    const replaced = await supersedeTurn(this.deps.db(), {
      userId: this.deps.userId,
      threadId,
      supersededTurnId: replaces.turnId,
      turnId,
      messageId,
      idempotencyKey: replaces.idempotencyKey,
    });
    // Never for a turn found through findLastTurn (it skips replaced turns); a clash fails this turn instead.
    if (!replaced) throw new Error(`Turn ${replaces.turnId} was already replaced`);
    await this.deps.emit(threadId, "turn.superseded", {
      turnId: replaces.turnId,
      byTurnId: turnId,
      messageId,
    });
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

  async saveMessage(threadId: string, message: StoredMessage): Promise<string> {
    const row = await appendMessage(this.deps.db(), {
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
