import WebSocket from "ws";
import { type LiveServerMessage, liveProtocols } from "../../contract/live";
import type { AgentEvent } from "./agent";

/** Why a live socket could not open (the HTTP answer to the upgrade) or how it closed. */
export interface LiveRefusal {
  status: number;
  body: string;
}

/**
 * A client of `GET /api/live` as the SPA opens it (the token in a sub-protocol), recording every message, the
 * broadcast thread events and how it closed.
 */
export async function openLive(apiUrl: string, token: string | undefined) {
  const url = `${apiUrl.replace(/^http/, "ws")}/api/live`;
  const ws = new WebSocket(url, token === undefined ? [] : liveProtocols(token));
  const messages: LiveServerMessage[] = [];
  let closed: { code: number; reason: string } | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  ws.on("message", (raw) => {
    messages.push(JSON.parse(String(raw)) as LiveServerMessage);
    wake();
  });
  ws.on("close", (code, reason) => {
    closed = { code, reason: String(reason) };
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += String(chunk);
      });
      response.on("end", () => reject({ status: response.statusCode ?? 0, body } satisfies LiveRefusal));
    });
    ws.once("error", reject);
  });

  /** Waits until `check` returns something other than undefined (or throws after `timeoutMs`). */
  async function until<T>(
    check: () => T | undefined,
    timeoutMs = 20_000,
    what = "a live message",
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; closed: ${JSON.stringify(closed)}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          waiters.delete(done);
          resolve();
        };
        waiters.add(done);
        setTimeout(done, 200);
      });
    }
  }

  const events = (): AgentEvent[] =>
    messages.flatMap((m) => (m.type === "broadcast" && m.name === "event" ? [m.data as AgentEvent] : []));

  return {
    ws,
    messages,
    events,
    closed: () => closed,
    until,
    /** The thread's events once one ends a turn. */
    turnEnded: (threadId: string, timeoutMs?: number) =>
      until(
        () => {
          const mine = events().filter((e) => e.threadId === threadId);
          return mine.some((e) => e.type.startsWith("turn.") && e.type !== "turn.started") ? mine : undefined;
        },
        timeoutMs,
        `the end of a turn in ${threadId}`,
      ),
    /** Sends a client message and waits for the answer of `type`. */
    async ask<T extends LiveServerMessage["type"]>(message: object, type: T | "refused") {
      const before = messages.length;
      ws.send(JSON.stringify(message));
      return until(
        () => messages.slice(before).find((m) => m.type === type || m.type === "refused"),
        10_000,
        `an answer ${type}`,
      ) as Promise<Extract<LiveServerMessage, { type: T | "refused" }>>;
    },
    close: () => ws.close(),
  };
}
