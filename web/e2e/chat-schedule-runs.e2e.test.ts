import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, signIn } from "./browser";
import { eventually, expectAccessible, nonce } from "./helpers";
import { seedExchange, seedThread } from "./seed-thread";

// Issue 23: a schedule's runs (`schedule.run` events) show in the thread they post to.
describe("schedule runs in the chat", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows a started, a failed and a skipped run as notices between the messages", async (test) => {
    const { context, page } = await newUserPage(browser, webUrl);
    try {
      await signIn(page, `schedule-runs-${nonce()}`);
      const run = (status: string, extra: Record<string, unknown> = {}) => ({
        type: "schedule.run",
        data: {
          scheduleId: crypto.randomUUID(),
          runId: crypto.randomUUID(),
          slotAt: new Date(Date.now() - 3_600_000).toISOString(),
          status,
          ...extra,
        },
      });
      const seeded = await seedThread(
        page,
        [
          run("started"),
          ...seedExchange("Summarise my week", "Here is your week."),
          run("failed", {
            code: "schedule_runs_exhausted",
            message: "The Free plan runs at most 3 scheduled prompts a day; upgrade at /billing.",
          }),
          run("skipped"),
        ],
        "Scheduled",
      );
      if (!seeded) return test.skip();
      await page.goto(`/threads/${seeded.threadId}`);
      const items = page.getByTestId("messages").locator(":scope > li");
      await eventually(() => items.count()).toBe(5);
      expect(await items.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-testid")))).toEqual([
        "schedule-run",
        "user-message",
        "assistant-turn",
        "schedule-run",
        "schedule-run",
      ]);
      const runs = page.getByTestId("schedule-run");
      expect(await runs.nth(0).textContent()).toContain("Scheduled run started");
      expect(await runs.nth(1).getAttribute("data-status")).toBe("failed");
      expect(await runs.nth(1).textContent()).toContain(
        "Scheduled run failed: The Free plan runs at most 3 scheduled prompts a day",
      );
      expect(await runs.nth(2).textContent()).toContain("Scheduled run skipped");
      expect(await runs.nth(0).getByTestId("message-time").getAttribute("datetime")).toMatch(/Z$/);

      await runs.nth(0).getByRole("link", { name: "Schedules" }).click();
      await page.waitForURL(/\/schedules$/);
      await page.goBack();
      await eventually(() => page.getByTestId("schedule-run").count()).toBe(3);
      await expectAccessible(page, "chat with schedule runs");
    } finally {
      await context.close();
    }
  });
});
