import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { usageRecords } from "../../schema";
import { launchBrowser, newUserPage, PHONE, screenshot, signIn } from "./browser";
import { stackDb } from "./db";
import { eventually, expectAccessible, nonce, pageApi } from "./helpers";

describe("billing", () => {
  let browser: Browser;
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe("upgrade through Checkout (dev/stripe)", () => {
    let user: { context: BrowserContext; page: Page };
    beforeAll(async () => {
      user = await newUserPage(browser, webUrl);
      await signIn(user.page, `pay-${nonce()}`);
    });
    afterAll(() => user?.context.close());

    it("shows the free plan, its usage against the allowance, and the plans", async () => {
      const { page } = user;
      await page.getByRole("link", { name: "Billing" }).click();
      await page.getByRole("heading", { name: "Billing", level: 1 }).waitFor();
      const plan = page.getByTestId("current-plan");
      await eventually(() => plan.getAttribute("data-plan")).toBe("free");
      expect(await page.getByTestId("plan-name").textContent()).toBe("Free");
      expect(await page.getByTestId("usage-summary").textContent()).toMatch(
        /^[\d,]+ of 200,000 tokens used$/,
      );
      expect(await page.getByRole("progressbar", { name: "Tokens used this period" }).count()).toBe(1);
      // No billing account before the first checkout, so nothing to manage yet.
      expect(await page.getByTestId("manage-billing").count()).toBe(0);
      await page.getByRole("button", { name: "Upgrade to Team" }).waitFor();
      await screenshot(page, "15-billing-free");
      await expectAccessible(page, "billing");
    });

    it("upgrades to Pro on dev/stripe's Checkout page and comes back to the new plan", async () => {
      const { page } = user;
      await page.getByRole("button", { name: "Upgrade to Pro" }).click();
      // dev/stripe's hosted page, on its own origin.
      await page.waitForURL(
        (url) => url.origin !== new URL(webUrl).origin && url.pathname.startsWith("/checkout/"),
      );
      await page.getByRole("button", { name: "Pay and subscribe" }).click();
      await page.waitForURL(
        (url) => url.pathname === "/billing" && url.searchParams.get("checkout") === "success",
      );
      await page.getByTestId("checkout-return").waitFor();
      const plan = page.getByTestId("current-plan");
      await eventually(() => plan.getAttribute("data-plan"), 20_000).toBe("pro");
      expect(await page.getByTestId("plan-name").textContent()).toBe("Pro");
      expect(await page.getByTestId("plan-status").textContent()).toBe("Active");
      await eventually(() => page.getByTestId("checkout-return").textContent()).toMatch(
        /You are on the Pro plan now/,
      );
      expect(await page.getByTestId("usage-summary").textContent()).toMatch(/of 5,000,000 tokens used/);
      // On a paid plan, changes go through the portal.
      expect(await page.getByRole("button", { name: /^Upgrade to/ }).count()).toBe(0);
      await screenshot(page, "16-billing-pro");
      await expectAccessible(page, "billing after upgrade");

      await page.getByTestId("manage-billing").click();
      await page.getByRole("heading", { name: "Your subscriptions" }).waitFor();
      await page.getByRole("link", { name: "Return to GrowQR" }).click();
      await page.waitForURL((url) => url.origin === new URL(webUrl).origin && url.pathname === "/billing");
      await eventually(() => page.getByTestId("current-plan").getAttribute("data-plan")).toBe("pro");
    });
  });

  it("tells a user over the allowance why nothing happens, with a way to upgrade (402)", async (context) => {
    const db = stackDb();
    if (!db) return context.skip();
    const { context: browserContext, page } = await newUserPage(browser, webUrl, PHONE);
    try {
      await signIn(page, `spent-${nonce()}`);
      const me = (await pageApi(page, "/me")).body as { id: string };
      await db.insert(usageRecords).values({
        userId: me.id,
        turnKey: `web-e2e-spent-${me.id}`,
        model: "test",
        inputTokens: 150_000,
        outputTokens: 60_000,
      });
      await page.goto("/");
      await page.getByRole("button", { name: "Start a new thread" }).click();
      await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
      await page.getByTestId("chat-empty").waitFor();
      const box = page.getByLabel("Message", { exact: true });
      await box.fill("one more please");
      await box.press("Enter");

      // The refused send, where the user typed…
      const refused = page.getByTestId("send-error");
      await refused.waitFor();
      expect(await refused.getAttribute("data-code")).toBe("allowance_exceeded");
      expect(await refused.textContent()).toMatch(/Not sent: your plan's tokens are used up/);
      // …and the agent's notice in the thread, which stays there.
      const notice = page.getByTestId("agent-notice");
      await notice.waitFor();
      expect(await notice.textContent()).toMatch(/You have used 210,000 of the 200,000 tokens/);
      expect(await notice.getByTestId("upgrade-link").getAttribute("href")).toBe("/billing");
      expect(await page.getByTestId("user-message").count()).toBe(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, "17-chat-allowance-exceeded");
      await expectAccessible(page, "chat over the allowance");

      await refused.getByTestId("upgrade-link").click();
      await page.waitForURL(/\/billing$/);
      await page.getByTestId("over-allowance").waitFor();
      expect(await page.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
      await page.getByRole("button", { name: "Upgrade to Pro" }).waitFor();
      await screenshot(page, "18-billing-over-allowance-phone");
      await expectAccessible(page, "billing over the allowance (phone)");
    } finally {
      await browserContext.close();
      await db.$client.end();
    }
  });
});
