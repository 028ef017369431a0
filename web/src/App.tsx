import { Route, Router, useLocation } from "@solidjs/router";
import { QueryClient, QueryClientProvider } from "@tanstack/solid-query";
import { createEffect, createRoot, lazy, Match, on, type ParentProps, Show, Switch } from "solid-js";
import { AuthLoading, SignIn } from "./auth/SignIn";
import { auth, session } from "./auth/session";
import Home from "./home/Home";
import { Shell } from "./layout/Shell";
import { threadKeys } from "./threads/thread-queries";
import { shareThreadChanges } from "./threads/thread-sync";

// Every view but home loads on first use (the chat brings markdown and the live connection): the first paint
// needs none of them.
const ChatView = lazy(() => import("./chat/ChatView"));
const EventConsole = lazy(() => import("./events/EventConsole"));
const StackPage = lazy(() => import("./stack/StackPage"));
const MemoryPage = lazy(() => import("./memory/MemoryPage"));
const BillingPage = lazy(() => import("./billing/BillingPage"));
const SubAgentsPage = lazy(() => import("./subagents/SubAgentsPage"));
const ActorsPage = lazy(() => import("./actors/ActorsPage"));
const SharedThreadPage = lazy(() => import("./shares/SharedThreadPage"));
const SchedulesPage = lazy(() => import("./schedules/SchedulesPage"));

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: false } },
});

// A thread made, renamed or deleted in one tab shows in the user's other tabs (for the app's lifetime).
const stopSharingThreadChanges = shareThreadChanges(queryClient, () => session()?.id, threadKeys.list);
// A dev hot reload runs this module again: the old channel must not stay open beside the new one.
import.meta.hot?.dispose(stopSharingThreadChanges);

// Nothing of one user's data stays cached for the next.
createRoot(() =>
  createEffect(
    on(
      () => session()?.id,
      (userId) => {
        // At sign-out (the views holding queries are gone by then); clearing at sign-in would strand them.
        if (!userId) queryClient.clear();
      },
      { defer: true },
    ),
  ),
);

function Root(props: ParentProps) {
  const location = useLocation();
  // A share link is read by people who may have no account: no sign-in, no shell (web/src/shares/).
  return (
    <Show when={!location.pathname.startsWith("/share/")} fallback={props.children}>
      <Switch fallback={<SignIn />}>
        <Match when={auth.status() === "loading"}>
          <AuthLoading />
        </Match>
        <Match when={session()}>
          <Shell>{props.children}</Shell>
        </Match>
      </Switch>
    </Show>
  );
}

function NotFound() {
  return (
    <section class="placeholder-page" aria-labelledby="nf-heading">
      <h1 id="nf-heading">Page not found</h1>
      <a href="/" class="button">
        Go to your threads
      </a>
    </section>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Router root={Root}>
        <Route path="/" component={Home} />
        <Route path="/threads/:id" component={ChatView} />
        <Route path="/threads/:id/events" component={EventConsole} />
        <Route path="/stack" component={StackPage} />
        <Route path="/memory" component={MemoryPage} />
        <Route path="/subagents" component={SubAgentsPage} />
        <Route path="/actors" component={ActorsPage} />
        <Route path="/schedules" component={SchedulesPage} />
        <Route path="/billing" component={BillingPage} />
        <Route path="/share/:token" component={SharedThreadPage} />
        <Route path="*" component={NotFound} />
      </Router>
    </QueryClientProvider>
  );
}
