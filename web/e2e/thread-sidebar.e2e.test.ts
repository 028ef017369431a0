import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { threads } from "../../schema";
import { launchBrowser, newUserPage, screenshot, signIn } from "./browser";
import { stackDb } from "./db";
import { eventually, expectAccessible, lastTurn, newThread, nonce, pageApi, send } from "./helpers";

const list = (page: Page) => page.getByTestId("thread-list");
const link = (page: Page, name: string) => list(page).getByRole("link", { name, exact: true });

// Issue 23: the sidebar had no search and no dates, and showed another tab's new or renamed threads only on reload.
describe("the thread sidebar", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("groups the threads by day and filters them by title", async (test) => {
    const { context, page } = await newUserPage(browser, webUrl);
    try {
      await signIn(page, `sidebar-${nonce()}`);
      const titles = ["Plan my week", "Groceries", "Weekly review", "Old budget", "Ancient plan"];
      const ids: string[] = [];
      for (const title of titles) {
        const created = await pageApi(page, "/threads", { method: "POST", body: { title } });
        expect(created.status).toBe(201);
        ids.push((created.body as { id: string }).id);
      }
      // Back-dated in the database (the API sets creation times itself), to days counted in the browser's zone.
      const db = stackDb();
      if (!db) return test.skip();
      const [yesterday, fourDaysAgo, lastMonth] = await page.evaluate(() => {
        const now = new Date();
        const day = (back: number) =>
          new Date(now.getFullYear(), now.getMonth(), now.getDate() - back, 12).toISOString();
        return [day(1), day(4), day(40)];
      });
      try {
        const backdate = (index: number, at: string) =>
          db
            .update(threads)
            .set({ createdAt: new Date(at) })
            .where(eq(threads.id, ids[index] ?? ""));
        await backdate(2, yesterday);
        await backdate(3, fourDaysAgo);
        await backdate(4, lastMonth);
      } finally {
        await db.$client.end();
      }
      await page.reload();
      await link(page, "Ancient plan").waitFor();

      const group = (name: string) => list(page).getByRole("region", { name });
      expect(await list(page).getByRole("heading", { level: 3 }).allTextContents()).toEqual([
        "Today",
        "Yesterday",
        "Previous 7 days",
        "Older",
      ]);
      expect(await group("Today").getByRole("link").allTextContents()).toEqual(["Groceries", "Plan my week"]);
      expect(await group("Yesterday").getByRole("link").allTextContents()).toEqual(["Weekly review"]);
      expect(await group("Previous 7 days").getByRole("link").allTextContents()).toEqual(["Old budget"]);
      expect(await group("Older").getByRole("link").allTextContents()).toEqual(["Ancient plan"]);
      await expectAccessible(page, "thread groups");

      const search = page.getByRole("searchbox", { name: "Search threads" });
      await search.fill("PLAN");
      await eventually(() => list(page).getByRole("link").allTextContents()).toEqual([
        "Plan my week",
        "Ancient plan",
      ]);
      expect(await list(page).getByRole("heading", { level: 3 }).allTextContents()).toEqual([
        "Today",
        "Older",
      ]);
      await screenshot(page, "thread-search");
      await search.fill("week");
      await eventually(() => list(page).getByRole("link").allTextContents()).toEqual([
        "Plan my week",
        "Weekly review",
      ]);
      await search.fill("lisbon");
      await list(page).getByRole("status").getByText("No thread titles match “lisbon”.").waitFor();
      expect(await list(page).getByRole("link").count()).toBe(0);
      await search.fill("");
      await eventually(() => list(page).getByRole("link").count()).toBe(5);

      // A new thread clears the search, which would otherwise hide it.
      await search.fill("plan");
      await newThread(page);
      expect(await search.inputValue()).toBe("");
      await link(page, "Untitled thread").waitFor();
    } finally {
      await context.close();
    }
  });

  it("follows the threads made, named, renamed and deleted in another tab of the same user", async () => {
    const { context, page: a } = await newUserPage(browser, webUrl);
    try {
      await signIn(a, `tabs-${nonce()}`);
      // A second tab of the same browser, signed in as the same user (the session is per tab, in sessionStorage).
      const stored = await a.evaluate(() => sessionStorage.getItem("growqr.session"));
      const b = await context.newPage();
      await b.goto("/");
      await b.evaluate((session) => sessionStorage.setItem("growqr.session", session ?? ""), stored);
      await b.reload();
      await list(b).getByText("No threads yet").waitFor();

      await newThread(a);
      await link(b, "Untitled thread").waitFor();

      // Named after its first message by the chat.
      await send(a, "Packing for Lisbon [[words:3]]");
      await eventually(() => lastTurn(a).getAttribute("data-status")).toBe("completed");
      await link(b, "Packing for Lisbon").waitFor();

      await a.getByRole("button", { name: "Actions for Packing for Lisbon" }).click();
      await a.getByRole("menuitem", { name: "Rename" }).click();
      const dialog = a.getByRole("dialog", { name: "Rename thread" });
      await dialog.getByLabel("Title").fill("Lisbon trip");
      await dialog.getByRole("button", { name: "Save" }).click();
      await link(b, "Lisbon trip").waitFor();
      expect(await link(b, "Packing for Lisbon").count()).toBe(0);

      await a.getByRole("button", { name: "Actions for Lisbon trip" }).click();
      await a.getByRole("menuitem", { name: "Delete" }).click();
      await a.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
      await link(b, "Lisbon trip").waitFor({ state: "detached" });
      await list(b).getByText("No threads yet").waitFor();
    } finally {
      await context.close();
    }
  });
});
