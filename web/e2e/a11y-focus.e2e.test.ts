import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newUserPage, signIn } from "./browser";
import { eventually, expectAccessible, lastTurn, newThread, nonce, send } from "./helpers";

/** What has focus: its id, accessible label or text, and whether it is inside the main area. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      id: el?.id ?? "",
      label: el?.getAttribute("aria-label") ?? el?.textContent?.trim().slice(0, 40) ?? "",
      inMain: Boolean(el?.closest("#main")),
    };
  });

// Issue 23: keyboard and screen-reader defects of the chat and the shell.
describe("focus and announcements", () => {
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  const webUrl = inject("webUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newUserPage(browser, webUrl);
    await signIn(user.page, `a11y-${nonce()}`);
    await newThread(user.page);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("announces a reply that ends while the user is there, politely, and not the history", async () => {
    const { page } = user;
    const announcer = page.getByTestId("reply-announcer");
    expect(await announcer.getAttribute("aria-live")).toBe("polite");
    await send(page, "Tell me something [[words:900]]");
    await eventually(() => lastTurn(page).getAttribute("data-status")).toBe("completed");
    await eventually(() => announcer.textContent()).toMatch(/^The agent replied: \S+/);
    await page.reload();
    await lastTurn(page).waitFor();
    expect(await announcer.textContent()).toBe("");
  });

  it("makes the conversation keyboard-reachable, with a label (axe clean on a scrolling chat)", async () => {
    const { page } = user;
    const region = page.getByRole("region", { name: "Conversation" });
    expect(await region.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    expect(await region.getAttribute("tabindex")).toBe("0");
    await expectAccessible(page, "scrolling chat");
    // Reached with Tab, and the keyboard then scrolls it.
    await page.getByRole("link", { name: "Events" }).focus();
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ label: "Conversation" });
    await region.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.keyboard.press("Home");
    await eventually(() => region.evaluate((el) => el.scrollTop)).toBe(0);
  });

  it("the skip link moves focus into the main area", async () => {
    const { page } = user;
    // A fresh load: the first Tab stop is the skip link.
    await page.reload();
    await lastTurn(page).waitFor();
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "a", label: "Skip to content" });
    await page.keyboard.press("Enter");
    expect(await focused(page)).toMatchObject({ id: "main", inMain: true });
    // The next stop is in the main area, past the top bar and the sidebar.
    await page.keyboard.press("Tab");
    expect((await focused(page)).inMain).toBe(true);
  });

  it("closing a dialog puts focus back on the menu button that opened it", async () => {
    const { page } = user;
    const menu = page.getByRole("button", { name: /^Actions for / }).first();
    const menuLabel = await menu.getAttribute("aria-label");

    await menu.click();
    await page.getByRole("menuitem", { name: "Rename" }).click();
    await page.getByRole("dialog", { name: "Rename thread" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await eventually(() => focused(page)).toMatchObject({ label: menuLabel });

    await menu.click();
    await page.getByRole("menuitem", { name: "Rename" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await eventually(() => focused(page)).toMatchObject({ label: menuLabel });

    await menu.click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await page.getByRole("alertdialog").waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("alertdialog").waitFor({ state: "detached" });
    await eventually(() => focused(page)).toMatchObject({ label: menuLabel });
  });
});
