import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, newThread, nonce, pageApi, send, threadIdOf } from "./helpers";

interface LoggedEvent {
  seq: number;
  type: string;
  data: { subAgentId?: string };
}

/**
 * dev/model makes the Grow Agent spawn a sub-agent for "delegate: …"; the real OpenCode in the user's sandbox
 * (dev/fly) runs the `write` directive. The first one cold-starts the sandbox.
 */
describe("sub-agents in the chat, the console and the list", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  let threadId = "";
  let subAgentId = "";

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, inject("webUrl"));
    await signIn(user.page, `sub-${nonce()}`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows a sub-agent's work live in a card inside the turn", async () => {
    const { page } = user;
    await newThread(page);
    threadId = threadIdOf(page);
    await send(page, 'delegate: [[tool:write {"filePath":"notes.txt","content":"hi"}]]');
    const card = page.getByTestId("subagent-card");
    await card.waitFor();
    subAgentId = (await card.getAttribute("data-subagent-id")) ?? "";
    expect(subAgentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await card.getByTestId("subagent-task").textContent()).toContain("delegate:");
    // Live: seen before it finished (waking the sandbox, or running), with Cancel offered meanwhile.
    expect(await card.getAttribute("data-status")).not.toMatch(/completed|failed|cancelled/);
    await card.getByTestId("subagent-cancel").waitFor();

    await eventually(() => card.getAttribute("data-status"), 60_000).toBe("completed");
    await card
      .getByTestId("subagent-end")
      .getByText(/Finished/)
      .waitFor();
    expect(await card.getByTestId("subagent-cancel").count()).toBe(0);
    const tool = card.locator('[data-testid="subagent-tool"][data-tool="write"]');
    await eventually(() => tool.getAttribute("data-state")).toBe("completed");
    expect(await card.getByTestId("subagent-files").textContent()).toContain("notes.txt");
    await page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();
    expect(await page.getByTestId("assistant-turn").last().textContent()).toContain(
      "spawn_sub_agent returned",
    );
    await screenshot(page, "12-subagent-card");
    await expectAccessible(page, "chat with a sub-agent");
  });

  it("filters the event console to the sub-agent's events", async () => {
    const { page } = user;
    await page.getByRole("link", { name: "Events" }).click();
    await page.waitForURL(/\/events$/);
    const { body } = await pageApi(page, `/threads/${threadId}/events?after=0&limit=500`);
    const logged = (body as { items: LoggedEvent[] }).items;
    const ofSubAgent = logged.filter((e) => e.data?.subAgentId === subAgentId);
    expect(ofSubAgent.map((e) => e.type)).toEqual(
      expect.arrayContaining(["subagent.spawned", "subagent.status", "subagent.tool", "subagent.finished"]),
    );
    const rows = page.getByTestId("event-row");
    await eventually(() => rows.count()).toBe(logged.length);

    await page.getByTestId("subagent-filter").selectOption(subAgentId);
    await eventually(() => rows.count()).toBe(ofSubAgent.length);
    const seqs = await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
    expect(seqs).toEqual(ofSubAgent.map((e) => e.seq));
    const types = await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-type")));
    expect(types.every((type) => type?.startsWith("subagent."))).toBe(true);
    await screenshot(page, "13-console-subagent-filter");

    await page.getByTestId("subagent-filter").selectOption("");
    await eventually(() => rows.count()).toBe(logged.length);
  });

  it("lists it as completed, with duration and cost, linked to its thread", async () => {
    const { page } = user;
    await page.getByRole("link", { name: "Sub-agents" }).click();
    await page.getByRole("heading", { name: "Sub-agents", level: 1 }).waitFor();
    const row = page.locator(`[data-testid="subagent-row"][data-id="${subAgentId}"]`);
    await eventually(() => row.getAttribute("data-status")).toBe("completed");
    expect(await row.getByTestId("subagent-row-status").textContent()).toBe("Completed");
    expect(await row.getByTestId("subagent-duration").textContent()).toMatch(/\d/);
    expect(await row.textContent()).toMatch(/Cost\$\d/);
    await screenshot(page, "14-subagents");
    await expectAccessible(page, "sub-agents list");
    await row.getByTestId("subagent-thread-link").click();
    await page.waitForURL(new RegExp(`/threads/${threadId}$`));
    await page.getByTestId("subagent-card").waitFor();
  });

  it("cancels a running sub-agent from its card", async () => {
    const { page } = user;
    // A long answer (~100 deltas, 250 ms apart) inside the tool call: the cancel cannot lose a race with its end,
    // and the Grow Agent's own reply stays quick.
    await send(page, '[[tool:spawn_sub_agent {"task":"take your time over it [[words:200]] [[slow:250]]"}]]');
    const card = page.getByTestId("subagent-card").nth(1);
    await eventually(() => card.getAttribute("data-status"), 30_000).toBe("running");
    await card.getByTestId("subagent-cancel").click();
    await eventually(() => card.getAttribute("data-status"), 20_000).toBe("cancelled");
    await card.getByTestId("subagent-end").getByText("Cancelled").waitFor();
    // The Grow Agent's turn carries on and ends.
    await eventually(
      () => page.getByTestId("assistant-turn").last().getAttribute("data-status"),
      20_000,
    ).toBe("completed");
    const { body } = await pageApi(page, "/subagents");
    const listed = (body as { items: Array<{ id: string; status: string }> }).items;
    expect(listed.map((s) => s.status)).toEqual(["cancelled", "completed"]);
  });
});
