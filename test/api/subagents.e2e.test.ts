import { readFile } from "node:fs/promises";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { usageRecords } from "../../schema";
import { actorClient, errorCode } from "../support/actors";
import { type AgentEvent, connectAgent } from "../support/agent";
import { apiUrl, call, mintToken, stackDb, uniqueUser } from "../support/api";

/**
 * Sub-agents end to end: the Grow Agent (dev/model) delegates, the provisioner wakes the user's stack on dev/fly,
 * the real OpenCode (opencode-ai) runs the task against dev/model and really uses its tools, and everything comes
 * back through the Grow Agent to connected clients.
 */
async function user(prefix: string) {
  const token = await mintToken(uniqueUser(prefix));
  const me = (await (await call("/api/me", token)).json()) as { id: string };
  const agent = await connectAgent(apiUrl(), me.id, token);
  const newThread = async () =>
    ((await (await call("/api/threads", token, { method: "POST", body: "{}" })).json()) as { id: string }).id;
  return { token, id: me.id, agent, newThread };
}

async function logOf(token: string, threadId: string, after = 0): Promise<AgentEvent[]> {
  const all: AgentEvent[] = [];
  for (;;) {
    const page = (await (
      await call(`/api/threads/${threadId}/events?after=${after + all.length}&limit=100`, token)
    ).json()) as { items: AgentEvent[] };
    all.push(...page.items);
    if (page.items.length < 100) return all;
  }
}

const turnEnded = (e: AgentEvent) => e.type.startsWith("turn.") && e.type !== "turn.started";
const indexOf = (events: AgentEvent[], predicate: (e: AgentEvent) => boolean) => events.findIndex(predicate);

describe("sub-agents (real OpenCode, dev/model, dev/fly)", () => {
  let alice: Awaited<ReturnType<typeof user>>;
  beforeAll(async () => {
    alice = await user("sub");
  });
  afterAll(() => alice?.agent.dispose());

  it("delegates a task that OpenCode really carries out, relayed in order, with the result in the reply", async () => {
    const threadId = await alice.newThread();
    const content = `hello from a sub-agent ${crypto.randomUUID()}`;
    await alice.agent.conn.sendMessage(
      threadId,
      `delegate: [[tool:write {"filePath":"hello.txt","content":"${content}"}]]`,
    );
    const events = await alice.agent.until(threadId, turnEnded, 120_000);
    expect(events.at(-1)?.type).toBe("turn.completed");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

    const subAgentId = events.find((e) => e.type === "subagent.spawned")?.data.subAgentId as string;
    const order = [
      indexOf(events, (e) => e.type === "subagent.spawned"),
      indexOf(events, (e) => e.type === "subagent.status" && e.data.status === "waking"),
      indexOf(events, (e) => e.type === "subagent.status" && e.data.status === "running"),
      indexOf(
        events,
        (e) => e.type === "subagent.tool" && e.data.tool === "write" && e.data.status === "completed",
      ),
      indexOf(events, (e) => e.type === "subagent.finished" && e.data.status === "completed"),
      indexOf(events, (e) => e.type === "tool.result" && e.data.name === "spawn_sub_agent"),
      events.length - 1,
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(
      events.filter((e) => e.type.startsWith("subagent.")).every((e) => e.data.subAgentId === subAgentId),
    ).toBe(true);

    // The file is really on disk, in the user's workspace.
    const written = events.find((e) => e.type === "subagent.file")?.data.path as string;
    expect(written).toMatch(/hello\.txt$/);
    expect(await readFile(written, "utf8")).toBe(content);

    const result = JSON.parse(events.find((e) => e.type === "tool.result")?.data.content);
    expect(result).toMatchObject({
      subAgentId,
      status: "completed",
      result: expect.stringContaining("write"),
    });
    const reply = events.filter((e) => e.type === "text.delta" && e.data.step === 2).map((e) => e.data.text);
    expect(reply.join("")).toContain("spawn_sub_agent returned");

    const list = (await (await call("/api/subagents", alice.token)).json()) as {
      items: Array<{ id: string; status: string; durationMs: number; threadId: string }>;
    };
    expect(list.items.find((s) => s.id === subAgentId)).toMatchObject({ status: "completed", threadId });

    // OpenCode's model calls are metered against the user's plan by the model gateway (never from the sandbox's
    // own report; test/api/model-gateway.e2e.test.ts checks the counts against the model's).
    const metered = await stackDb().select().from(usageRecords).where(eq(usageRecords.userId, alice.id));
    const ofGateway = metered.filter((u) => u.turnKey.startsWith("gateway:"));
    expect(ofGateway.length).toBeGreaterThan(0);
    expect(ofGateway.every((u) => u.inputTokens + u.outputTokens + u.cacheWriteTokens > 0)).toBe(true);
    expect(metered.filter((u) => u.turnKey.startsWith("subagent:"))).toEqual([]);
  }, 150_000);

  it("a skill the user committed a moment ago is found by OpenCode in the sandbox's clone and used", async () => {
    const marker = `SKILL-${crypto.randomUUID().slice(0, 8)}`;
    const put = await call("/api/memory/file", alice.token, {
      method: "PUT",
      body: JSON.stringify({
        path: "skills/haiku/SKILL.md",
        content: `---\nname: haiku\ndescription: Answer in haiku.\n---\n${marker}: answer in three lines, 5-7-5.\n`,
        message: "Add skill",
      }),
    });
    expect(put.status).toBe(200);
    const threadId = await alice.newThread();
    await alice.agent.conn.sendMessage(
      threadId,
      `delegate: [[tool:skill {"name":"haiku"}]] [[tool:write {"filePath":"probe.txt","content":"x"}]]`,
    );
    const events = await alice.agent.until(threadId, turnEnded, 120_000);
    const finished = events.find((e) => e.type === "subagent.finished");
    expect(finished?.data.status, JSON.stringify(finished?.data)).toBe("completed");

    // OpenCode's own skill tool loaded it from the clone (the relayed tool event), and the answer carries it.
    const used = events.find(
      (e) => e.type === "subagent.tool" && e.data.tool === "skill" && e.data.status === "completed",
    );
    expect(
      JSON.stringify(used?.data.output),
      JSON.stringify(events.filter((e) => e.type === "subagent.tool")),
    ).toContain(marker);
    const result = JSON.parse(events.find((e) => e.type === "tool.result")?.data.content);
    expect(result.result).toContain(marker);

    // The task ran in a directory of its own; the clone beside it holds the skill and no credential.
    const subAgentId = finished?.data.subAgentId as string;
    const probe = events.find((e) => e.type === "subagent.file")?.data.path as string;
    expect(probe.endsWith(`/tasks/${subAgentId}/probe.txt`), probe).toBe(true);
    const workspace = probe.slice(0, -`/tasks/${subAgentId}/probe.txt`.length);
    expect(await readFile(`${workspace}/memory/skills/haiku/SKILL.md`, "utf8")).toContain(marker);
    const gitConfig = await readFile(`${workspace}/memory/.git/config`, "utf8");
    expect(gitConfig).not.toMatch(/authorization|extraheader|token/i);
  }, 150_000);

  it("a client that drops during the run and resumes from its seq misses nothing and sees nothing twice", async () => {
    const threadId = await alice.newThread();
    const watcher = await connectAgent(apiUrl(), alice.id, alice.token);
    await watcher.conn.sendMessage(
      threadId,
      "delegate this [[slow:120]] please write a short poem about rivers",
    );
    await watcher.until(threadId, (e) => e.type === "subagent.status" && e.data.status === "running", 60_000);
    const seen = watcher.events.filter((e) => e.threadId === threadId);
    await watcher.dispose();

    let log: AgentEvent[] = [];
    for (let i = 0; i < 600 && !log.some(turnEnded); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await logOf(alice.token, threadId);
    }
    const lastSeen = seen.at(-1)?.seq ?? 0;
    const resumed = await logOf(alice.token, threadId, lastSeen);
    const combined = [...seen, ...resumed];
    expect(combined.map((e) => e.seq)).toEqual(log.map((e) => e.seq));
    expect(combined).toEqual(log);
    expect(log.some((e) => e.type === "subagent.text" && seen.every((s) => s.seq !== e.seq))).toBe(true);
  }, 90_000);

  it("cancels a running sub-agent; the Grow Agent's turn carries on", async () => {
    const threadId = await alice.newThread();
    await alice.agent.conn.sendMessage(threadId, "delegate this [[slow:250]] and take your time over it");
    const running = await alice.agent.until(
      threadId,
      (e) => e.type === "subagent.status" && e.data.status === "running",
      60_000,
    );
    const subAgentId = running.find((e) => e.type === "subagent.spawned")?.data.subAgentId;
    const cancelled = await call(`/api/subagents/${subAgentId}/cancel`, alice.token, { method: "POST" });
    expect(await cancelled.json()).toEqual({ cancelled: true });
    const events = await alice.agent.until(threadId, turnEnded, 60_000);
    expect(events.find((e) => e.type === "subagent.finished")?.data.status).toBe("cancelled");
    expect(events.at(-1)?.type).toBe("turn.completed");
  }, 90_000);

  it("keeps users apart: B cannot list, cancel or reach A's sub-agents", async () => {
    const bob = await user("bob");
    try {
      const aliceList = (await (await call("/api/subagents", alice.token)).json()) as {
        items: Array<{ id: string }>;
      };
      const aliceSub = aliceList.items[0]?.id ?? "";
      expect(aliceSub).not.toBe("");
      const bobList = (await (await call("/api/subagents", bob.token)).json()) as {
        items: Array<{ id: string }>;
      };
      expect(bobList.items.some((s) => s.id === aliceSub)).toBe(false);
      expect((await call(`/api/subagents/${aliceSub}/cancel`, bob.token, { method: "POST" })).status).toBe(
        404,
      );
      const asBob = actorClient(apiUrl()).subAgent.get([alice.id, aliceSub], {
        params: { token: bob.token },
      });
      await expect(asBob.describe()).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
      // Nor can a client pose as a sub-agent to inject events into A's thread.
      await expect(
        bob.agent.conn.relaySubAgentEvents(
          await bob.newThread(),
          "x",
          [{ type: "subagent.text", data: { delta: "hi" } }],
          1,
        ),
      ).rejects.toSatisfy((e) => errorCode(e) === "forbidden");
    } finally {
      await bob.agent.dispose();
    }
  }, 60_000);

  it("answers over the plan's parallel cap (Free: 1) with a clear error the Grow Agent passes on", async () => {
    const threadId = await alice.newThread();
    const task = (n: number) => `[[tool:spawn_sub_agent {"task":"task ${n}: say hello"}]]`;
    await alice.agent.conn.sendMessage(threadId, `three at once ${task(1)} ${task(2)} ${task(3)}`);
    const events = await alice.agent.until(threadId, turnEnded, 120_000);
    const results = events.filter((e) => e.type === "tool.result" && e.data.name === "spawn_sub_agent");
    expect(results).toHaveLength(3);
    const refused = results.filter((e) => e.data.isError);
    expect(refused).toHaveLength(2);
    expect(refused[0]?.data.content).toMatch(/already have 1 sub-agent running, your plan's limit/);
    expect(events.at(-1)?.type).toBe("turn.completed");
  }, 150_000);

  // The last test: it stops alice's OpenCode machine (the one the tests above warmed, no cold start of its own).
  it("an OpenCode process killed mid-run ends the sub-agent as failed; the thread stays usable", async () => {
    const threadId = await alice.newThread();
    await alice.agent.conn.sendMessage(threadId, "delegate this [[slow:300]] and take a long time");
    await alice.agent.until(
      threadId,
      (e) => e.type === "subagent.status" && e.data.status === "running",
      90_000,
    );
    const stack = (await (await call("/api/stack", alice.token)).json()) as {
      machines: { opencode?: { machineId?: string } };
    };
    const machineId = stack.machines.opencode?.machineId;
    const stopped = await fetch(`${inject("flyApiUrl")}/apps/growqr-runtime/machines/${machineId}/stop`, {
      method: "POST",
      headers: { authorization: `Bearer ${inject("flyToken")}` },
    });
    expect(stopped.ok).toBe(true);
    const events = await alice.agent.until(threadId, turnEnded, 60_000);
    const finished = events.find((e) => e.type === "subagent.finished");
    expect(finished?.data).toMatchObject({ status: "failed", error: expect.any(String) });
    expect(events.at(-1)?.type).toBe("turn.completed");

    await alice.agent.conn.sendMessage(threadId, "are you still there?");
    const after = await alice.agent.until(
      threadId,
      (e) => e.type === "turn.completed" && e.seq > (events.at(-1)?.seq ?? 0),
    );
    expect(after.at(-1)?.type).toBe("turn.completed");
  }, 150_000);
});
