import { Show } from "solid-js";
import { SignIn } from "./auth/SignIn";
import { session, signOut } from "./auth/session";
import { StatusPanel } from "./StatusPanel";
import { StackPanel } from "./stack/StackPanel";
import { Threads } from "./threads/Threads";

export function App() {
  return (
    <main
      style={{
        "font-family": "system-ui, sans-serif",
        "max-width": "44rem",
        margin: "3rem auto",
        padding: "0 1rem",
      }}
    >
      <header style={{ display: "flex", "justify-content": "space-between", "align-items": "baseline" }}>
        <h1>GrowQR</h1>
        <Show when={session()}>
          {(current) => (
            <p>
              {current().username}{" "}
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </p>
          )}
        </Show>
      </header>
      <p>
        Your private Grow Agent: chat, delegate work to sub-agents, and keep memory in your own git
        repository.
      </p>
      <Show when={session()} fallback={<SignIn />}>
        <Threads />
        <StackPanel />
      </Show>
      <StatusPanel />
    </main>
  );
}
