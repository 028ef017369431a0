import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AgentEventType } from "./agent-events";
import { PendingEmits, TEXT_BATCH_MS } from "./pending-emits";

const delta = (text: string, index = 0, step = 1) => ({ turnId: "t", step, index, text });
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const afterWindow = () => wait(TEXT_BATCH_MS);

function recorder() {
  const sent: Array<{ type: AgentEventType; data: Record<string, unknown> }> = [];
  const pending = new PendingEmits(async (type, data) => {
    sent.push({ type, data: data as Record<string, unknown> });
  });
  const texts = () => sent.map((e) => (e.type === "text.delta" ? e.data.text : e.type));
  return { pending, texts };
}

describe("PendingEmits", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends the first delta at once, and joins those behind it within the window into one event", async () => {
    const { pending, texts } = recorder();
    pending.addText(delta("Hel"));
    expect(texts()).toEqual(["Hel"]);
    pending.addText(delta("lo"));
    await wait(1);
    for (const part of [", ", "world"]) pending.addText(delta(part));
    expect(texts()).toEqual(["Hel"]);
    await afterWindow();
    expect(texts()).toEqual(["Hel", "lo, world"]);
    // After a quiet window, the next delta again goes out at once.
    await afterWindow();
    pending.addText(delta("!"));
    expect(texts()).toEqual(["Hel", "lo, world", "!"]);
    await pending.flush();
  });

  it("keeps order: another event, another block or a flush sends what is held first", async () => {
    const { pending, texts } = recorder();
    pending.addText(delta("a"));
    pending.addText(delta("b"));
    pending.add("tool.call", { turnId: "t", step: 1, toolUseId: "x", name: "echo", input: {} });
    pending.addText(delta("c", 1));
    pending.addText(delta("d", 2));
    pending.addText(delta("e", 2));
    await pending.flush();
    expect(texts()).toEqual(["a", "b", "tool.call", "c", "de"]);
    await afterWindow();
    expect(texts()).toHaveLength(5);
  });

  it("loses no text whatever the timing", async () => {
    const { pending, texts } = recorder();
    const parts = Array.from({ length: 200 }, (_, i) => `${i},`);
    for (const [i, part] of parts.entries()) {
      pending.addText(delta(part));
      if (i % 7 === 0) await wait(i % 3 === 0 ? TEXT_BATCH_MS : 1);
    }
    await pending.flush();
    expect(texts().join("")).toBe(parts.join(""));
    expect(texts().length).toBeLessThan(parts.length);
  });
});
