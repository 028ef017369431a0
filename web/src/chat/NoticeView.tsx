import { A } from "@solidjs/router";
import { Show } from "solid-js";
import "./notice.css";

/** Internal paths only: a notice never sends the user off the app. */
export const safeUpgradePath = (path: string | null | undefined, code?: string): string | null => {
  if (path?.startsWith("/") && !path.startsWith("//")) return path;
  return code === "allowance_exceeded" ? "/billing" : null;
};

/** The server's message without its trailing "at /billing": the button says where. */
const tidy = (message: string, path: string | null) =>
  path
    ? message.replace(new RegExp(` at ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=\\.?$)`), "")
    : message;

/**
 * Why the agent did not start (an `agent.notice`, or a 402 when sending), with the way out: for
 * `allowance_exceeded`, an Upgrade link to the billing page.
 */
export function AllowanceMessage(props: {
  code: string;
  message: string;
  upgradePath?: string | null;
  /** One line (the composer, under the thread's notice that says it all). */
  compact?: boolean;
}) {
  const path = () => safeUpgradePath(props.upgradePath, props.code);
  const title = () =>
    props.code === "allowance_exceeded" ? "Your plan's tokens are used up" : "The agent did not start";
  return (
    <div class={`notice-body ${props.compact ? "compact" : ""}`}>
      <p class="notice-title">
        <span aria-hidden="true">⚠ </span>
        {props.compact ? `Not sent: ${title().charAt(0).toLowerCase()}${title().slice(1)}.` : title()}
      </p>
      <Show when={!props.compact}>
        <p class="notice-text">{tidy(props.message, path()) || "The agent could not start this reply."}</p>
      </Show>
      <Show when={path()}>
        {(href) => (
          <A href={href()} class="button primary small" data-testid="upgrade-link">
            Upgrade
          </A>
        )}
      </Show>
    </div>
  );
}
