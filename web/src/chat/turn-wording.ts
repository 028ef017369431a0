import type { TurnFailure, TurnItem } from "./chat-model";

const FAILURES: Record<string, string> = {
  model_rate_limited: "The model is receiving too many requests right now; try again in a moment.",
  model_overloaded: "The model is overloaded right now; try again in a moment.",
  model_unavailable: "The model could not be reached; try again in a moment.",
  model_auth_failed: "The model provider refused the server's credentials.",
  model_bad_request: "The model refused the request.",
};

/**
 * A sentence for a failed turn: the server's message (written for people) when it reads as one, else a sentence
 * for its code; never a raw payload.
 */
export function describeFailure(failure: TurnFailure): string {
  const message = failure.message.trim();
  const readable = message.length > 0 && message.length <= 300 && !/^[[{<]/.test(message);
  const sentence = readable
    ? message
    : (FAILURES[failure.code] ?? `The reply failed (${failure.code.replaceAll("_", " ")})`);
  const withStop = /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
  return failure.retryable && !/try again/i.test(withStop) ? `${withStop} You can try again.` : withStop;
}

/** Why a turn ended, for the chat's status line; null for a normal end. */
export function describeEnd(turn: TurnItem): string | null {
  switch (turn.status) {
    case "cancelled":
      return "Cancelled: the reply was stopped.";
    case "interrupted":
      return "Interrupted: the server restarted while replying. What had arrived is kept.";
    case "failed":
      return turn.failure ? describeFailure(turn.failure) : "The reply failed.";
    case "completed":
      if (turn.stopReason === "max_tokens") return "The reply hit the length limit.";
      if (turn.stopReason === "step_limit") return "Stopped after the maximum number of steps.";
      return null;
    default:
      return null;
  }
}

/** The turn's text, as plain words (markdown marks dropped), for announcing it. */
const plainText = (turn: TurnItem): string =>
  turn.blocks
    .map((block) => (block.kind === "text" ? block.text : ""))
    .join(" ")
    .replace(/[`*_#>[\]()~|-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();

/**
 * What the chat's polite live region says when a reply ends while the user is on the thread: that it ended and
 * how, with the start of the text, so a screen reader user need not hunt for it.
 */
export function announceEnd(turn: TurnItem): string {
  const why = describeEnd(turn);
  if (turn.status !== "completed") return why ?? "The reply ended.";
  const text = plainText(turn);
  const start = text.length > 200 ? `${text.slice(0, 200).replace(/\s+\S*$/, "")}…` : text;
  return [`The agent replied${start ? `: ${start}` : "."}`, why].filter(Boolean).join(" ");
}
