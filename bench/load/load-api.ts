import { performance } from "node:perf_hooks";
import type { LocalStack } from "../../dev/stack";
import type { SeqEvent } from "./thread-tracker";

export interface WireEvent extends SeqEvent {
  threadId: string;
  data: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The HTTP API as the load users call it: every call retried with backoff, since faults take the database or the
 * Workers away for a while.
 */
export function loadApi(stack: LocalStack) {
  return { api, landedInGit, readLog };

  async function api<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      }).catch(() => undefined);
      if (response?.ok) return (await response.json()) as T;
      if (attempt >= 8) throw new Error(`${path}: ${response?.status ?? "no answer"}`);
      await sleep(Math.min(8_000, 250 * 2 ** attempt));
    }
  }

  /** A write acknowledged while git was down waits in the outbox; the actor's retry alarm commits it later. */
  async function landedInGit(token: string, path: string): Promise<boolean> {
    const deadline = performance.now() + 90_000;
    while (performance.now() < deadline) {
      const history = await api<{ items: unknown[] }>(
        token,
        `/api/memory/history?path=${encodeURIComponent(path)}`,
      ).catch(() => ({ items: [] }));
      if (history.items.length > 0) return true;
      await sleep(1_000);
    }
    return false;
  }

  /** The thread's log after `after`, paged, as any API consumer reads it. */
  async function readLog(token: string, threadId: string, after = 0): Promise<WireEvent[]> {
    const all: WireEvent[] = [];
    for (;;) {
      const page = await api<{ items: WireEvent[] }>(
        token,
        `/api/threads/${threadId}/events?after=${after + all.length}&limit=100`,
      );
      all.push(...page.items);
      if (page.items.length < 100) return all;
    }
  }
}

export type LoadApi = ReturnType<typeof loadApi>;
