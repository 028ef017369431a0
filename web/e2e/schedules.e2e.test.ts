import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { eventually, expectAccessibleAtBothSizes, nonce } from "./helpers";

describe("schedules in the SPA", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, inject("webUrl"));
    await signIn(user.page, `sched-${nonce()}`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("creates a weekday schedule and shows its next runs in the reader's zone; pauses and deletes it", async () => {
    const { page } = user;
    await page.getByRole("link", { name: "Schedules" }).click();
    await page.waitForURL(/\/schedules$/);
    await page.getByTestId("schedules-empty").waitFor();
    const form = page.getByTestId("schedule-form");
    await form.getByLabel("Prompt").fill("Summarise what changed in my notes");
    await form.getByLabel("Title").fill("Morning digest");
    await form.getByLabel("Time zone").fill("America/New_York");
    await form.getByRole("button", { name: "Add schedule" }).click();

    const row = page.getByTestId("schedule-row");
    await row.waitFor();
    expect(await row.textContent()).toContain("0 8 * * 1-5 (America/New_York)");
    // 08:00 in New York, shown in the browser's own zone, as the page computes it.
    const expected = await page.evaluate(() => {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const probe = new Date();
      for (let i = 0; i < 8 * 24 * 60; i++, probe.setTime(probe.getTime() + 60_000)) {
        const ny = new Intl.DateTimeFormat("en-US", {
          timeZone: "America/New_York",
          weekday: "short",
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
        }).format(probe);
        if (/^(Mon|Tue|Wed|Thu|Fri) 08:00$/.test(ny)) {
          probe.setSeconds(0, 0);
          return probe.toLocaleString(undefined, {
            timeZone: zone,
            weekday: "short",
            day: "numeric",
            month: "short",
            hour: "2-digit",
            minute: "2-digit",
          });
        }
      }
      return "none";
    });
    expect(await row.getByTestId("schedule-next").textContent()).toContain(expected);
    await screenshot(page, "20-schedules");
    await expectAccessibleAtBothSizes(page, "schedules");

    await row.getByRole("button", { name: "Pause" }).click();
    await eventually(() => row.getAttribute("data-status")).toBe("paused");
    await row.getByRole("button", { name: "Resume" }).click();
    await eventually(() => row.getAttribute("data-status")).toBe("active");
    await row.getByRole("button", { name: "Delete" }).click();
    await page.getByTestId("schedules-empty").waitFor();
  });

  it("a one-off a few seconds ahead runs, and its run shows in the history", async () => {
    const { page } = user;
    const form = page.getByTestId("schedule-form");
    await form.getByLabel("Prompt").fill("Soon [[words:3]]");
    await form.getByRole("radio", { name: "Once" }).check();
    const local = await page.evaluate(() => {
      const at = new Date(Date.now() + 4_000);
      const pad = (n: number) => String(n).padStart(2, "0");
      return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
    });
    await form.getByLabel("At", { exact: true }).fill(local);
    await form.getByRole("button", { name: "Add schedule" }).click();
    const row = page.getByTestId("schedule-row");
    await row.waitFor();
    await row.getByRole("button", { name: "Runs" }).click();
    await eventually(
      () => row.locator('[data-testid="schedule-runs"] li').first().getAttribute("data-status"),
      45_000,
    ).toBe("succeeded");
    expect(await row.getByTestId("schedule-runs").textContent()).toMatch(/Done · \d+ tokens/);
    await row.getByRole("link", { name: "thread" }).click();
    await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
    await page.getByText("Soon [[words:3]]").first().waitFor();
  });
});
