import { createResource, For, type JSX, Match, onCleanup, Switch } from "solid-js";
import { fetchHealth } from "./api/health";

const REFRESH_MS = 10_000;

const dot = (ok: boolean): JSX.CSSProperties => ({
  display: "inline-block",
  width: "0.6rem",
  height: "0.6rem",
  "border-radius": "50%",
  background: ok ? "#2e9d5b" : "#d0453a",
  "margin-right": "0.5rem",
});

export function StatusPanel() {
  const [health, { refetch }] = createResource(() => fetchHealth(AbortSignal.timeout(4_000)));
  const timer = setInterval(() => refetch(), REFRESH_MS);
  onCleanup(() => clearInterval(timer));

  return (
    <section aria-labelledby="status-heading">
      <h2 id="status-heading">System status</h2>
      <Switch>
        <Match when={health.error}>
          <p role="alert">API unreachable: {String(health.error?.message ?? health.error)}</p>
        </Match>
        <Match when={health()}>
          {(current) => (
            <>
              <p data-testid="overall-status">
                <span style={dot(current().status === "ok")} />
                {current().status} · version {current().version}
              </p>
              <ul>
                <For each={Object.entries(current().checks)}>
                  {([name, check]) => (
                    <li>
                      <span style={dot(check.status === "ok")} />
                      {name}: {check.status} ({check.latencyMs} ms)
                    </li>
                  )}
                </For>
              </ul>
            </>
          )}
        </Match>
        <Match when={health.loading}>
          <p>Checking…</p>
        </Match>
      </Switch>
    </section>
  );
}
