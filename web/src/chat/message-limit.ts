import { MAX_MESSAGE_CHARS } from "../../../contract/actions";

/** From this share of the limit on, the composer shows how much room is left. */
const NEAR = 0.9;

export interface LengthCheck {
  /** Characters the message would send (the composer sends it trimmed). */
  count: number;
  /** Over the limit: the composer refuses to send it. */
  over: boolean;
  /** What the counter says, or "" while the message is far from the limit. */
  label: string;
}

const number = (n: number) => n.toLocaleString("en-US");

/**
 * The composer's length check against the agent's limit (contract/actions.ts), so an over-long message is refused
 * while it is typed rather than cut or rejected after sending.
 */
export function checkLength(text: string, limit = MAX_MESSAGE_CHARS): LengthCheck {
  const count = text.trim().length;
  const over = count > limit;
  if (over)
    return { count, over, label: `${number(count - limit)} over the ${number(limit)}-character limit` };
  if (count < limit * NEAR) return { count, over, label: "" };
  return { count, over, label: `${number(count)} / ${number(limit)} characters` };
}
