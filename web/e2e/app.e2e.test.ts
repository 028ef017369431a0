import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, PHONE, screenshot, signIn } from "./browser";
import { eventually, expectAccessible, lastTurn, nonce, pageApi, send, threadIdOf, words } from "./helpers";

describe("the SPA against the full local stack", () => {
  let browser: Browser;
  let alice: { context: BrowserContext; page: Page };
  const aliceName = `alice-${nonce()}`;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
    alice = await newUserPage(browser, webUrl);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("signs in as a dev user and starts a thread", async () => {
    const { page } = alice;
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await screenshot(page, "01-sign-in");
    await expectAccessible(page, "sign-in");

    await signIn(page, aliceName);
    await page.getByTestId("thread-list").getByText("No threads yet").waitFor();
    await screenshot(page, "02-home-empty");
    await expectAccessible(page, "home");

    await page.getByRole("button", { name: "New thread", exact: true }).click();
    await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
    await page.getByTestId("chat-empty").waitFor();
    await page.getByTestId("live-status").getByText("Live").waitFor();
    await eventually(() => page.getByTestId("model-info").textContent()).toMatch(/local stand-in/);
  });

  it("streams a reply as it is written, with markdown, and names the thread", async () => {
    const { page } = alice;
    await send(page, "Tell me a story [[slow:25]] [[words:50]]");
    await page.getByTestId("user-message").getByText("Tell me a story").waitFor();
    // Seen while streaming: a running turn with part of the text.
    const partial = await page.waitForFunction(() => {
      const turn = document.querySelector(
        '[data-testid="assistant-turn"][data-status="running"] .reply-text',
      );
      const text = turn?.textContent ?? "";
      return text.trim().split(/\s+/).length >= 3 ? text : null;
    });
    const partialWords = words(String(await partial.jsonValue())).length;
    await page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();
    const full = (await lastTurn(page).locator(".reply-text").textContent()) ?? "";
    expect(words(full)).toHaveLength(50);
    expect(partialWords).toBeLessThan(50);
    // An untitled thread is named after its first message (directives left out).
    await page.getByTestId("thread-list").getByRole("link", { name: "Tell me a story" }).waitFor();
    await page.getByTestId("thread-title").getByText("Tell me a story").waitFor();
  });

  it("shows a tool call as a card that expands to its input and result", async () => {
    const { page } = alice;
    await send(page, "[[tool:list_threads {}]]");
    const card = page.getByTestId("tool-card").last();
    await card.waitFor();
    await eventually(() => card.getAttribute("data-state")).toBe("done");
    await card.locator("summary").click();
    await card.getByText("Input").waitFor();
    await card.getByText("Result").waitFor();
    expect(await card.locator("pre").last().textContent()).toContain('"threads"');
    await page.locator('[data-testid="assistant-turn"][data-status="completed"]').nth(1).waitFor();
    expect(await lastTurn(page).textContent()).toContain("list_threads returned");
    await screenshot(page, "03-chat");
    await expectAccessible(page, "chat");
  });

  it("renders markdown and drops anything executable", async () => {
    const { page } = alice;
    const turns = page.locator('[data-testid="assistant-turn"][data-status="completed"]');
    const before = await turns.count();
    await send(
      page,
      'Some **bold** and `code` <img src="x" onerror="window.__xss=1"> <script>window.__xss=2</script> [link](javascript:window.__xss=3)',
    );
    await eventually(() => turns.count()).toBe(before + 1);
    const reply = lastTurn(page).locator(".reply-text");
    expect(await reply.locator("strong").textContent()).toBe("bold");
    expect(await reply.locator("code").textContent()).toBe("code");
    expect(await reply.locator("img, script, [onerror]").count()).toBe(0);
    expect(await reply.locator('a[href^="javascript"]').count()).toBe(0);
    await reply
      .getByText("link")
      .click()
      .catch(() => {});
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it("queues a message sent during a reply, cancels the reply and marks it", async () => {
    const { page } = alice;
    await send(page, "A long one [[slow:200]] [[words:100]]");
    const running = page.locator('[data-testid="assistant-turn"][data-status="running"]');
    await running.locator(".reply-text").waitFor();
    await send(page, "and then this");
    const queued = page.getByTestId("user-message").last();
    await queued.getByTestId("queued-badge").waitFor();
    await screenshot(page, "04-chat-running-queued");

    await page.getByTestId("cancel-turn").click();
    const cancelled = page.locator('[data-testid="assistant-turn"][data-status="cancelled"]');
    await cancelled.waitFor();
    expect(await cancelled.getByTestId("turn-end").textContent()).toMatch(/Cancelled/);
    const kept = words((await cancelled.locator(".reply-text").textContent()) ?? "").length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(100);
    // The queued message gets its turn once the cancelled one has ended.
    await queued.getByTestId("queued-badge").waitFor({ state: "detached" });
    await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("completed");
    expect(await lastTurn(page).textContent()).toContain("You said: and then this");
  });

  it("event console: every event in seq order, filter by type, pause and resume", async () => {
    const { page } = alice;
    const threadId = threadIdOf(page);
    await page.getByRole("link", { name: "Events" }).click();
    await page.waitForURL(/\/events$/);
    const rows = page.getByTestId("event-row");
    await rows.first().waitFor();
    const { body } = await pageApi(page, `/threads/${threadId}/events?after=0&limit=500`);
    const logged = (body as { items: Array<{ seq: number }> }).items.length;
    await eventually(() => rows.count()).toBe(logged);
    const seqs = await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await screenshot(page, "05-event-console");
    await expectAccessible(page, "event console");

    // Filter: hide the token deltas.
    const deltas = page.locator('[data-testid="event-row"][data-type="text.delta"]');
    expect(await deltas.count()).toBeGreaterThan(0);
    await page.getByRole("checkbox", { name: /^text\.delta/ }).uncheck();
    await eventually(() => deltas.count()).toBe(0);
    expect(await rows.count()).toBeGreaterThan(0);
    await page.getByRole("checkbox", { name: /^text\.delta/ }).check();
    await eventually(() => rows.count()).toBe(logged);

    // Pause: new events are counted, not shown, until resumed.
    await page.getByTestId("pause-toggle").click();
    await pageApi(page, `/threads/${threadId}/messages`, { method: "POST", body: { text: "while paused" } });
    await eventually(() => page.getByTestId("paused-count").textContent()).toMatch(/[1-9]\d* new/);
    expect(await rows.count()).toBe(logged);
    await page.getByTestId("pause-toggle").click();
    await eventually(() => rows.count()).toBeGreaterThan(logged);
  });

  it("shows reconnecting when the connection drops and resumes without gaps or repeats", async () => {
    const { page } = alice;
    const threadId = threadIdOf(page);
    await page.getByTestId("live-status").getByText("Live").waitFor();
    const ends = page.locator(
      '[data-testid="event-row"][data-type^="turn."]:not([data-type="turn.started"])',
    );
    // The reply to "while paused" has ended: nothing runs before this test's message.
    await eventually(() => page.getByTestId("event-row").last().getAttribute("data-type")).toBe(
      "turn.completed",
    );
    const endsBefore = await ends.count();
    const before = await page.getByTestId("event-row").count();
    await pageApi(page, `/threads/${threadId}/messages`, {
      method: "POST",
      body: { text: "[[slow:120]] [[words:40]]" },
    });
    await eventually(() => page.getByTestId("event-row").count()).toBeGreaterThan(before + 3);
    // Cut the socket and keep new ones from connecting for a moment, as a network drop would.
    await page.evaluate(() => {
      (window as unknown as { __blockSockets: boolean }).__blockSockets = true;
      return (window as unknown as { __dropSockets: () => number }).__dropSockets();
    });
    await page.getByTestId("live-status").getByText("Reconnecting…").waitFor();
    await screenshot(page, "06-event-console-reconnecting");
    await page.evaluate(() => {
      (window as unknown as { __blockSockets: boolean }).__blockSockets = false;
    });
    await page.getByTestId("live-status").getByText("Live").waitFor({ timeout: 20_000 });
    await eventually(() => ends.count(), 20_000).toBe(endsBefore + 1);
    // It ended while we were away or after: either way, exactly once and complete.
    expect(await ends.last().getAttribute("data-type")).toBe("turn.completed");

    const { body } = await pageApi(page, `/threads/${threadId}/events?after=0&limit=500`);
    const logged = (body as { items: Array<{ seq: number }> }).items.map((e) => e.seq);
    await eventually(() => page.getByTestId("event-row").count()).toBe(logged.length);
    const seqs = await page
      .getByTestId("event-row")
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
    expect(seqs).toEqual(logged);
    expect(new Set(seqs).size).toBe(seqs.length);

    // The chat folded the same events: the resumed reply has all 40 words, none twice.
    await page.getByRole("link", { name: "Chat" }).click();
    await eventually(
      async () => words((await lastTurn(page).locator(".reply-text").textContent()) ?? "").length,
    ).toBe(40);
  });

  it("renames and deletes threads from the sidebar", async () => {
    const { page } = alice;
    await page.getByRole("button", { name: "New thread", exact: true }).click();
    await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
    const list = page.getByTestId("thread-list");
    await page.getByRole("button", { name: "Actions for Untitled thread" }).click();
    await page.getByRole("menuitem", { name: "Rename" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename thread" });
    await dialog.getByLabel("Title").fill("Groceries");
    await dialog.getByRole("button", { name: "Save" }).click();
    await list.getByRole("link", { name: "Groceries" }).waitFor();
    await page.getByTestId("thread-title").getByText("Groceries").waitFor();

    await page.getByRole("button", { name: "Actions for Groceries" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("alertdialog");
    await confirm.getByText("deleted for good").waitFor();
    await screenshot(page, "07-delete-confirm");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await list.getByRole("link", { name: "Groceries" }).waitFor({ state: "detached" });
    await page.waitForURL(/\/$/);
  });

  it("keeps the sandbox panel reachable", async () => {
    const { page } = alice;
    await page.getByRole("link", { name: "Sandbox & status" }).click();
    await page.getByRole("heading", { name: "Sandbox & status" }).waitFor();
    await eventually(() => page.getByTestId("stack-status").getAttribute("data-status")).toMatch(
      /none|suspended|ready/,
    );
    await page.getByTestId("overall-status").waitFor();
    await screenshot(page, "08-stack");
    await expectAccessible(page, "stack");
  });

  it("a second user, on a phone-sized screen, sees none of the first user's threads", async () => {
    const aliceThread = (await pageApi(alice.page, "/threads")).body as { items: Array<{ id: string }> };
    expect(aliceThread.items.length).toBeGreaterThan(0);
    const bob = await newUserPage(browser, webUrl, PHONE);
    try {
      const { page } = bob;
      await signIn(page, `bob-${nonce()}`);
      await page.getByRole("button", { name: "Menu" }).click();
      await page.getByTestId("thread-list").getByText("No threads yet").waitFor();
      await screenshot(page, "09-phone-drawer");
      await expectAccessible(page, "phone drawer");
      // Alice's thread by its address: not found, and nothing of it shown.
      await page.goto(`/threads/${aliceThread.items[0]?.id}`);
      await page.getByRole("heading", { name: "Thread not found" }).waitFor();
      expect(await page.content()).not.toContain("Tell me a story");

      // The chat works at 375 px too.
      await page.goto("/");
      await page.getByRole("button", { name: "Start a new thread" }).click();
      await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
      await send(page, "hello from a phone");
      await page.locator('[data-testid="assistant-turn"][data-status="completed"]').waitFor();
      expect(await lastTurn(page).textContent()).toContain("You said: hello from a phone");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, "10-phone-chat");
      await expectAccessible(page, "phone chat");
    } finally {
      await bob.context.close();
    }
  });
});
