import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import type { AgentEventData, AgentEventType } from "../agent/agent-events";
import type { SpawnedSubAgent } from "../agent/tool-registry";
import type { RelayEvent } from "./relay-batcher";
import { createSessionWithinCap, finishSession } from "./sessions.repository";
import type { SubAgentOutcome } from "./subagent-runner";

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
  /** The user's cap; throws (a refusal the model explains) when the user may start none, e.g. past the allowance. */
  maxParallel(): Promise<number>;
  timeoutMs: number;
  log: Logger;
}

/** After a cancel, how long the sub-agent has to report its end before the Grow Agent stops waiting. */
const LOST_AFTER_MS = 30_000;

const cancelQuietly = (actors: SubAgentActors, subAgentId: string) =>
  void actors.cancel(subAgentId).catch(() => {});

/** What a sub-agent may put on its thread. */
const RELAYED = new Set<string>(["subagent.status", "subagent.text", "subagent.tool", "subagent.file"]);

/**
 * The Grow Agent's side of sub-agents: spawn within the user's cap, relay what they report into the thread's
 * event log (so it is ordered, persisted and resumable like everything else), and hand each outcome back to the
 * spawn_sub_agent tool call that waits for it.
 */
export class SubAgentCoordinator {
  readonly #waiting = new Map<string, (outcome: SubAgentOutcome) => void>();
  /** subAgentId → the last relayed batch it logged: a retried delivery of a logged batch is not logged twice. */
  readonly #relayedBatches = new Map<string, number>();
  /** Sub-agents whose end is logged: a late report after the Grow Agent gave up is not logged twice. */
  readonly #ended = new Set<string>();
  /** Spawns of one user run one at a time, so two parallel tool calls cannot both slip under the cap. */
  #spawnLock: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SubAgentCoordinatorDeps) {}

  async spawn(input: {
    threadId: string;
    turnId: string;
    task: string;
    skills?: string[];
    signal: AbortSignal;
  }): Promise<SpawnedSubAgent> {
    const { threadId, task, signal } = input;
    const cap = await this.deps.maxParallel();
    const staleAfterSeconds = Math.ceil((this.deps.timeoutMs + LOST_AFTER_MS) / 1_000);
    const created = this.#spawnLock.then(() =>
      createSessionWithinCap(this.deps.db(), {
        userId: this.deps.userId,
        threadId,
        task,
        cap,
        staleAfterSeconds,
      }),
    );
    this.#spawnLock = created.catch(() => {});
    const session = await created;
    if (!session) {
      throw new Error(
        `You already have ${cap} sub-agent${cap === 1 ? "" : "s"} running, your plan's limit. Wait for one to finish, cancel one, or upgrade for more at /billing.`,
      );
    }
    const subAgentId = session.id;
    const reported = new Promise<SubAgentOutcome>((resolve) => this.#waiting.set(subAgentId, resolve));
    const cancel = () => void this.deps.actors.cancel(subAgentId).catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await this.deps.emit(threadId, "subagent.spawned", { subAgentId, task, turnId: input.turnId });
      if (signal.aborted)
        return await this.#giveUp(threadId, subAgentId, "cancelled", "Cancelled before it started");
      await this.deps.actors.start(subAgentId, { task, threadId, skills: input.skills });
      signal.addEventListener("abort", cancel, { once: true });
      // The sub-agent reports its end; if that report never comes (its object died, the call was lost), the
      // turn must not wait forever: after the timeout it is cancelled, and a while later given up on.
      const deadline = new Promise<"deadline">((resolve) => {
        timer = setTimeout(() => {
          cancel();
          timer = setTimeout(() => resolve("deadline"), LOST_AFTER_MS);
        }, this.deps.timeoutMs);
      });
      const aborted = new Promise<"aborted">((resolve) => {
        signal.addEventListener("abort", () => setTimeout(() => resolve("aborted"), LOST_AFTER_MS), {
          once: true,
        });
      });
      const first = await Promise.race([reported, deadline, aborted]);
      if (first === "deadline")
        return await this.#giveUp(threadId, subAgentId, "failed", "No answer from the sub-agent");
      if (first === "aborted") return await this.#giveUp(threadId, subAgentId, "cancelled", "Cancelled");
      return { subAgentId, ...first };
    } catch (error) {
      this.deps.log.error("sub-agent could not start", { subAgentId, error });
      return await this.#giveUp(threadId, subAgentId, "failed", "The sub-agent could not start");
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", cancel);
      this.#waiting.delete(subAgentId);
    }
  }

  /** A sub-agent whose runner is gone (the Worker restarted): ended as failed, its actor told to stop. */
  async abandon(threadId: string, subAgentId: string, reason: string): Promise<void> {
    await this.#giveUp(threadId, subAgentId, "failed", reason);
  }

  /** Ends a sub-agent on the Grow Agent's side: its row (so it no longer counts against the cap) and the log. */
  async #giveUp(
    threadId: string,
    subAgentId: string,
    status: "failed" | "cancelled",
    error: string,
  ): Promise<SpawnedSubAgent> {
    cancelQuietly(this.deps.actors, subAgentId);
    await finishSession(this.deps.db(), this.deps.userId, subAgentId, { status, error, costUsd: 0 }).catch(
      (cause) => this.deps.log.error("could not end a sub-agent's row", { subAgentId, error: cause }),
    );
    await this.finished(threadId, subAgentId, { status, error, costUsd: 0 }).catch(() => {});
    return { subAgentId, status, error };
  }

  /**
   * A batch of events from a sub-agent: logged and broadcast on its thread in the order sent. Batches arrive one at
   * a time per sub-agent, numbered; one already logged (a retry after a lost answer) is skipped.
   *
   * Returns once the batch is queued, not written: the sub-agent's next batch waits for this answer, and the event
   * pipeline keeps the order of everything queued (its end, reported later, included). A write that fails here
   * (the thread was deleted) would fail again on a retry, so it is only logged.
   */
  relay(threadId: string, subAgentId: string, events: RelayEvent[], batch: number): void {
    if (this.#ended.has(subAgentId) || batch <= (this.#relayedBatches.get(subAgentId) ?? 0)) return;
    this.#relayedBatches.set(subAgentId, batch);
    // Emitted together: one local write for the whole batch.
    Promise.all(
      events
        .filter((event) => RELAYED.has(event?.type) && typeof event.data === "object" && event.data !== null)
        .map((event) =>
          this.deps.emit(threadId, event.type as AgentEventType, { ...event.data, subAgentId } as never),
        ),
    ).catch((error) => this.deps.log.warn("could not log a sub-agent's events", { subAgentId, error }));
  }

  /** A sub-agent's outcome: logged, and handed to the tool call waiting for it (if this runtime started it). */
  async finished(threadId: string, subAgentId: string, outcome: SubAgentOutcome): Promise<void> {
    if (this.#ended.has(subAgentId)) return;
    this.#ended.add(subAgentId);
    this.#relayedBatches.delete(subAgentId);
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
