import { A, useLocation } from "@solidjs/router";
import { createEffect, createSignal, For, type JSX, on, onCleanup, Show } from "solid-js";
import { session, signOut } from "../auth/session";
import { ThreadList } from "../threads/ThreadList";
import { setPageTitle } from "../ui/page-title";

const LINKS = [
  { href: "/memory", label: "Memory", icon: "▤" },
  { href: "/subagents", label: "Sub-agents", icon: "◎" },
  { href: "/actors", label: "Actors", icon: "◇" },
  { href: "/schedules", label: "Schedules", icon: "◷" },
  { href: "/stack", label: "Sandbox & status", icon: "▣" },
  { href: "/billing", label: "Billing", icon: "◈" },
];

const skipToMain = (event: MouseEvent) => {
  event.preventDefault();
  document.getElementById("main")?.focus();
};

/** Top bar, sidebar (threads, then memory, sub-agents, sandbox, billing; a drawer on narrow screens), main area. */
export function Shell(props: { children?: JSX.Element }) {
  const [navOpen, setNavOpen] = createSignal(false);
  const location = useLocation();
  let toggle: HTMLButtonElement | undefined;
  // Escape closes the drawer and puts focus back on its button.
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || !navOpen()) return;
    setNavOpen(false);
    toggle?.focus();
  };
  document.addEventListener("keydown", onKey);
  onCleanup(() => document.removeEventListener("keydown", onKey));
  // The tab is named after the page; a thread's page names it after the thread (ThreadHeader).
  createEffect(() => {
    const path = location.pathname;
    if (path.startsWith("/threads/")) return;
    const link = LINKS.find((l) => path === l.href || path.startsWith(`${l.href}/`));
    setPageTitle(path === "/" ? "Your Grow Agent" : (link?.label ?? "Page not found"));
  });
  onCleanup(() => setPageTitle());
  // Following a link in the drawer closes it.
  createEffect(
    on(
      () => location.pathname,
      () => setNavOpen(false),
      { defer: true },
    ),
  );

  return (
    <div class="app" data-nav-open={navOpen() ? "" : undefined}>
      {/* The router takes in-page links for navigations, so the link moves focus itself. */}
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is a link to #main; the handler only adds the focus */}
      <a class="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="icon-button nav-toggle"
          ref={toggle}
          aria-expanded={navOpen()}
          aria-controls="sidebar"
          onClick={() => setNavOpen((open) => !open)}
        >
          <span aria-hidden="true">☰</span>
          <span class="sr-only">Menu</span>
        </button>
        <A href="/" class="brand">
          GrowQR
        </A>
        <Show when={session()}>
          {(current) => (
            <div class="account">
              <span class="account-name" data-testid="signed-in-user">
                {current().name}
              </span>
              <button type="button" class="button subtle" onClick={() => void signOut()}>
                Sign out
              </button>
            </div>
          )}
        </Show>
      </header>
      <div class="frame">
        <nav id="sidebar" class="sidebar" aria-label="Main">
          <ThreadList />
          <ul class="sidebar-footer" aria-label="Your agent">
            <For each={LINKS}>
              {(link) => (
                <li>
                  <A href={link.href} class="sidebar-link" activeClass="active">
                    <span class="sidebar-icon" aria-hidden="true">
                      {link.icon}
                    </span>
                    {link.label}
                  </A>
                </li>
              )}
            </For>
          </ul>
        </nav>
        <Show when={navOpen()}>
          <button
            type="button"
            class="scrim"
            aria-label="Close menu"
            tabIndex={-1}
            onClick={() => setNavOpen(false)}
          />
        </Show>
        <main id="main" class="main" tabIndex={-1}>
          {props.children}
        </main>
      </div>
    </div>
  );
}
