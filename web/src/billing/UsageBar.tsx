import { Show } from "solid-js";
import { formatDate, formatNumber, percentUsed } from "../ui/format";
import type { BillingStatus } from "./billing-queries";

/** Tokens used this period against the plan's allowance, as numbers and a bar. */
export function UsageBar(props: { usage: BillingStatus["usage"]; periodEnd: string }) {
  const pct = () => percentUsed(props.usage.usedTokens, props.usage.allowanceTokens);
  const level = () => (props.usage.overAllowance ? "over" : pct() >= 80 ? "warn" : "ok");
  const summary = () =>
    `${formatNumber(props.usage.usedTokens)} of ${formatNumber(props.usage.allowanceTokens)} tokens used`;
  return (
    <div class="usage" data-testid="usage">
      <p class="usage-numbers">
        <strong data-testid="usage-summary">{summary()}</strong>{" "}
        <span class="muted">({Math.round(pct())}%)</span>
      </p>
      <div
        class="usage-bar"
        data-level={level()}
        role="progressbar"
        aria-label="Tokens used this period"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct())}
        aria-valuetext={summary()}
      >
        <span style={{ width: `${pct()}%` }} />
      </div>
      <Show
        when={props.usage.overAllowance}
        fallback={
          <p class="muted small">
            {formatNumber(props.usage.remainingTokens)} tokens left until {formatDate(props.periodEnd)}.
          </p>
        }
      >
        <p class="error small" data-testid="over-allowance">
          Your allowance is used up: your agent starts no new replies until you upgrade or the period renews
          on {formatDate(props.periodEnd)}.
        </p>
      </Show>
    </div>
  );
}
