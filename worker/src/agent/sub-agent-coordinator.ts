import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { createSessionWithinCap } from "../subagents/sessions.repository";
import type { RelayEvent, SubAgentOutcome } from "../subagents/subagent-runner";
import type { AgentEventData, AgentEventType } from "./agent-events";
import { OpencodeRelay } from "./opencode-relay";
import type { SpawnedSubAgent } from "./tool-registry";

/** How the Grow Agent reaches its sub-agent actors (wired by the growAgent actor with internal credentials). */
export interface SubAgentActors {
  start(subAgentId: string, input: { task: string; threadId: string; skills?: string[] }): Promise<void>;
  cancel(subAgentId: string): Promise<void>;
}

export interface SubAgentCoordinatorDeps {
  db(): Database;
  userId: string;
  actors: SubAgentActors;
  emit<T extends AgentEventType>(threadId: string, type: T, data: AgentEventData[T]): Promise<unknown>;
  maxParallel(): Promise<number>;
  timeoutMs: number;
  /** How to reach the user's OpenCode server, for the relay's own event subscription. */
  opencode(): Promise<{ baseUrl: string; headers: Record<string, string> }>;
  keepAlive(work: Promise<unknown>): void;
  log: Logger;
}

/** What a sub-agent actor itself may report; its session's text and tool events come from the relay. */
const RELAYED = new Set(["subagent.status"]);

/**
 * The Grow Agent's side of sub-agents: spawn within the user's cap, relay what they report into the thread's
 * event log (so it is ordered, persisted and resumable like everything else), and hand each outcome back to the
 * spawn_sub_agent tool call that waits for it.
 */
export class SubAgentCoordinator {
  readonly #waiting = new Map<string, (outcome: SubAgentOutcome) => void>();
  /** subAgentId → its OpenCode session, while the relay watches it. */
  readonly #sessions = new Map<string, string>();
  readonly #relay: OpencodeRelay;
  /** Spawns of one user run one at a time, so two parallel tool calls cannot both slip under the cap. */
  #spawnLock: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SubAgentCoordinatorDeps) {
    this.#relay = new OpencodeRelay({
      connection: () => deps.opencode(),
      emit: (threadId, type, data) => deps.emit(threadId, type, data),
      keepAlive: (work) => deps.keepAlive(work),
      log: deps.log,
    });
  }

  /** The sub-agent opened its OpenCode session: relay it from now on (resolves once the relay listens). */
  async watch(threadId: string, subAgentId: string, opencodeSessionId: string): Promise<void> {
    await this.#relay.watch({ opencodeSessionId, threadId, subAgentId });
    this.#sessions.set(subAgentId, opencodeSessionId);
    await this.deps.emit(threadId, "subagent.status", { subAgentId, status: "running", opencodeSessionId });
  }

  async spawn(input: {
    threadId: string;
    turnId: string;
    task: string;
    skills?: string[];
    signal: AbortSignal;
  }): Promise<SpawnedSubAgent> {
    const { threadId, task, signal } = input;
    const cap = await this.deps.maxParallel();
    const created = this.#spawnLock.then(() =>
      createSessionWithinCap(this.deps.db(), { userId: this.deps.userId, threadId, task, cap }),
    );
    this.#spawnLock = created.catch(() => {});
    const session = await created;
    if (!session) {
      throw new Error(
        `You already have ${cap} sub-agent${cap === 1 ? "" : "s"} running, your plan's limit. Wait for one to finish, cancel one, or upgrade for more at /billing.`,
      );
    }
    const subAgentId = session.id;
    const outcome = new Promise<SubAgentOutcome>((resolve) => this.#waiting.set(subAgentId, resolve));
    await this.deps.emit(threadId, "subagent.spawned", { subAgentId, task, turnId: input.turnId });

    const cancel = () => void this.deps.actors.cancel(subAgentId).catch(() => {});
    signal.addEventListener("abort", cancel, { once: true });
    const timer = setTimeout(cancel, this.deps.timeoutMs);
    try {
      await this.deps.actors.start(subAgentId, { task, threadId, skills: input.skills });
      const result = await outcome;
      return { subAgentId, ...result };
    } catch (error) {
      this.deps.log.error("sub-agent could not start", { subAgentId, error });
      await this.finished(threadId, subAgentId, {
        status: "failed",
        error: "The sub-agent could not start",
        costUsd: 0,
      });
      return { subAgentId, status: "failed", error: "The sub-agent could not start" };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", cancel);
      this.#waiting.delete(subAgentId);
    }
  }

  /** Events a sub-agent relays: logged and broadcast on its thread, in the order they were sent. */
  async relay(threadId: string, subAgentId: string, events: RelayEvent[]): Promise<void> {
    // Emitted together (the event pipeline keeps call order): one local write for the whole batch.
    await Promise.all(
      events
        .filter((event) => RELAYED.has(event.type))
        .map((event) =>
          this.deps.emit(threadId, event.type as AgentEventType, { ...event.data, subAgentId } as never),
        ),
    );
  }

  /** A sub-agent's outcome: logged, and handed to the tool call waiting for it (if this runtime started it). */
  async finished(threadId: string, subAgentId: string, outcome: SubAgentOutcome): Promise<void> {
    const session = this.#sessions.get(subAgentId);
    if (session) {
      this.#sessions.delete(subAgentId);
      // Its last deltas may still be on their way through the relay's stream: they belong before the end.
      await this.#relay.settle(session, outcome.status === "completed" ? 2_000 : 0);
    }
    await this.deps
      .emit(threadId, "subagent.finished", {
        subAgentId,
        status: outcome.status,
        ...(outcome.error ? { error: outcome.error } : {}),
        costUsd: outcome.costUsd,
      })
      .catch((error) => this.deps.log.warn("could not log a sub-agent's end", { subAgentId, error }));
    this.#waiting.get(subAgentId)?.(outcome);
  }
}
