import type { PlannedBlock, ReplyPlan, StopReason } from "./script";
import type { InputUsage } from "./usage";

export interface ApiUsage extends InputUsage {
  output_tokens: number;
  service_tier: "standard";
}

/** The Messages API `Message` object, as a non-streaming reply returns it and a stream assembles it. */
export interface ApiMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: PlannedBlock[];
  stop_reason: StopReason;
  stop_sequence: string | null;
  usage: ApiUsage;
}

export function buildMessage(
  plan: ReplyPlan,
  meta: { id: string; model: string; input: InputUsage },
): ApiMessage {
  return {
    id: meta.id,
    type: "message",
    role: "assistant",
    model: meta.model,
    content: plan.content,
    stop_reason: plan.stopReason,
    stop_sequence: plan.stopSequence,
    usage: { ...meta.input, output_tokens: plan.outputTokens, service_tier: "standard" },
  };
}
