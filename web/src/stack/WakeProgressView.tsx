import { For, Show } from "solid-js";
import type { WakeProgress } from "./stack-wording";

/** A wake's stages (creating, starting, health checks, ready), each with the second it began, and the time so far. */
export function WakeProgressView(props: { progress: WakeProgress }) {
  return (
    <div class="wake-progress" data-testid="wake-progress">
      <ol class="wake-stages" aria-label="Sandbox start-up">
        <For each={props.progress.stages}>
          {(stage) => (
            <li
              class="wake-stage"
              data-done={stage.at !== null ? "" : undefined}
              data-current={props.progress.current === stage.label ? "" : undefined}
              data-testid="wake-stage"
            >
              <span class="wake-mark" aria-hidden="true">
                {stage.at === null ? "○" : props.progress.current === stage.label ? "◐" : "●"}
              </span>
              {stage.label}
              <Show when={stage.at !== null}>
                <span class="muted"> · {stage.at} s</span>
              </Show>
            </li>
          )}
        </For>
      </ol>
      <p class="wake-elapsed small muted" data-testid="wake-elapsed">
        <Show
          when={props.progress.failed}
          fallback={
            props.progress.current === null
              ? `Started in ${props.progress.elapsed} s`
              : `${props.progress.elapsed} s so far`
          }
        >
          {(reason) => `Failed after ${props.progress.elapsed} s: ${reason()}`}
        </Show>
      </p>
    </div>
  );
}
