import { Clerk } from "@clerk/clerk-js";
import type { ClerkLike } from "./clerk-auth";

/**
 * Loads Clerk: `@clerk/clerk-js` (this module is a lazy chunk of its own, imported only when a publishable key is
 * configured, so the initial JS stays within budget) plus Clerk's prebuilt UI, which clerk-js 6 no longer bundles:
 * `@clerk/ui`'s browser build, served by the instance's Frontend API (the host in the publishable key), as Clerk's
 * own SDKs load it. Bundling `@clerk/ui` instead would bring React into the SPA.
 */
export async function loadClerk(publishableKey: string): Promise<ClerkLike> {
  const ClerkUI = await loadClerkUi(publishableKey);
  const clerk = new Clerk(publishableKey);
  await clerk.load({
    ui: { ClerkUI },
    // Back where the visitor was going once signed in; a same-origin move stays in the SPA (the router follows
    // history through popstate) instead of reloading the page.
    signInFallbackRedirectUrl: location.href,
    afterSignOutUrl: "/",
    routerPush: (to: string) => moveTo(to, "push"),
    routerReplace: (to: string) => moveTo(to, "replace"),
  });
  return clerk;
}

function moveTo(to: string, how: "push" | "replace"): void {
  if (how === "push") history.pushState(null, "", to);
  else history.replaceState(null, "", to);
  dispatchEvent(new PopStateEvent("popstate"));
}

type ClerkUiConstructor = NonNullable<NonNullable<Parameters<Clerk["load"]>[0]>["ui"]>["ClerkUI"];

declare global {
  interface Window {
    __internal_ClerkUICtor?: ClerkUiConstructor;
  }
}

/** The Frontend API host a publishable key names (`pk_live_<base64 of "clerk.example.com$">`). */
export function frontendApiOf(publishableKey: string): string {
  const encoded = publishableKey.split("_")[2] ?? "";
  let host = "";
  try {
    host = atob(encoded).replace(/\$$/, "");
  } catch {
    // falls through to the error below
  }
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host))
    throw new Error("VITE_CLERK_PUBLISHABLE_KEY is not a Clerk publishable key");
  return host;
}

const UI_MAJOR = 1;
const UI_LOAD_TIMEOUT_MS = 15_000;

async function loadClerkUi(publishableKey: string): Promise<ClerkUiConstructor> {
  if (window.__internal_ClerkUICtor) return window.__internal_ClerkUICtor;
  const src = `https://${frontendApiOf(publishableKey)}/npm/@clerk/ui@${UI_MAJOR}/dist/ui.browser.js`;
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.crossOrigin = "anonymous";
    script.dataset.clerkPublishableKey = publishableKey;
    const timeout = setTimeout(
      () => reject(new Error("Clerk's sign-in UI took too long to load")),
      UI_LOAD_TIMEOUT_MS,
    );
    script.onload = () => {
      clearTimeout(timeout);
      resolve();
    };
    script.onerror = () => {
      clearTimeout(timeout);
      reject(new Error("Clerk's sign-in UI could not be loaded"));
    };
    document.head.append(script);
  });
  if (!window.__internal_ClerkUICtor) throw new Error("Clerk's sign-in UI did not start");
  return window.__internal_ClerkUICtor;
}
