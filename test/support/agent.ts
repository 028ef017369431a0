import { actorClient } from "./actors";

export interface AgentEvent {
  threadId: string;
  seq: number;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: event payloads differ per type; tests read the fields they assert
  data: any;
  at: string;
}

/**
 * A live connection to a user's Grow Agent that records every broadcast event. `token` finds the actor (RivetKit's
 * manager calls) and opens the connection; with `connectWith`, the connection's token is asked of it on every
 * (re)connect instead, as the SPA's `getParams` is (e.g. to hand a fresh token after one expired).
 */
export async function connectAgent(
  apiUrl: string,
  userId: string,
  token: string,
  options: { connectWith?: () => Promise<string> } = {},
) {
  const { connectWith } = options;
  const agents = actorClient(apiUrl, token).growAgent;
  const handle = connectWith
    ? agents.getOrCreate([userId], { getParams: async () => ({ token: await connectWith() }) })
    : agents.getOrCreate([userId], { params: { token } });
  const conn = handle.connect();
  const events: AgentEvent[] = [];
  const waiters = new Set<() => void>();
  conn.on("event", (event: AgentEvent) => {
    events.push(event);
    for (const wake of waiters) wake();
  });
  await conn.whoami();

  /** Resolves with the thread's events once one matches `done` (default: the end of a turn). */
  async function until(
    threadId: string,
    done: (event: AgentEvent) => boolean = (e) => e.type.startsWith("turn.") && e.type !== "turn.started",
    timeoutMs = 20_000,
  ): Promise<AgentEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mine = events.filter((e) => e.threadId === threadId);
      if (mine.some(done)) return mine;
      if (Date.now() > deadline) {
        throw new Error(`timed out; events so far: ${mine.map((e) => `${e.seq}:${e.type}`).join(" ")}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
        setTimeout(wake, 200);
      });
    }
  }

  return { conn, events, until, dispose: () => conn.dispose() };
}

/** Text of a turn as the client saw it streamed. */
export const streamedText = (events: AgentEvent[], turnId?: string) =>
  events
    .filter((e) => e.type === "text.delta" && (!turnId || e.data.turnId === turnId))
    .map((e) => e.data.text)
    .join("");
