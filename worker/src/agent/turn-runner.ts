import type Anthropic from "@anthropic-ai/sdk";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { pokeUsageReports } from "../billing/usage-report-poke";
import type { Env } from "../env";
import type { MemoryService } from "../memory/memory-service";
import type { SubAgentCoordinator } from "../subagents/sub-agent-coordinator";
import { appendMessage } from "../threads/thread-log.repository";
import { type AgentConfig, createModelClient } from "./agent-config";
import type { AgentEventData, AgentEventType } from "./agent-events";
import { selectContext } from "./context-window";
import { loadHistory } from "./conversation-history";
import { runTurn, type StoredMessage } from "./run-turn";
import { buildSystemPrompt } from "./system-prompt";
import { agentTools } from "./tools";
import type { TurnStart } from "./turn-controller";
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

  async run({ threadId, messageId, turnId, signal, waiting }: TurnStart): Promise<void> {
    const { deps } = this;
    const { env, userId } = deps;
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
