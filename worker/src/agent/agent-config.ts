import Anthropic from "@anthropic-ai/sdk";
import { MAX_MESSAGE_CHARS } from "../../../contract/actions";
import { intSetting, urlSetting } from "../../../platform/config";
import { MAX_PARALLEL_SUBAGENTS_CEILING } from "../http/limits";

/** Settings of the Grow Agent's model use, from the Worker's env (docs/configuration.md). */
export interface AgentEnv {
  /** Without it (locally) the dev stack points ANTHROPIC_BASE_URL at dev/model. */
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  ANTHROPIC_MODEL?: string;
  AGENT_MAX_MESSAGE_CHARS?: string;
  AGENT_MAX_STEPS?: string;
  AGENT_CONTEXT_TOKENS?: string;
  AGENT_MAX_OUTPUT_TOKENS?: string;
  /** Deployment-wide ceiling on sub-agents one user may run at once; the plan's own limit applies below it. */
  AGENT_MAX_PARALLEL_SUBAGENTS?: string;
  /** How long spawn_sub_agent waits for a sub-agent before cancelling it. */
  AGENT_SUBAGENT_TIMEOUT_SECONDS?: string;
  /** While turns run, how far ahead the actor keeps an alarm that wakes it after a restart. */
  AGENT_TURN_WATCH_SECONDS?: string;
}

export interface AgentConfig {
  model: string;
  /** Host of the Messages API in use, shown to users so they know what answers them. */
  endpoint: string;
  maxMessageChars: number;
  maxSteps: number;
  contextTokens: number;
  maxOutputTokens: number;
  maxParallelSubAgents: number;
  subAgentTimeoutMs: number;
  turnWatchMs: number;
}

export const DEFAULT_MODEL = "claude-sonnet-5-5";

/** Throws a ConfigError naming the variable when one is set but invalid (platform/config.ts). */
export function readAgentConfig(env: AgentEnv): AgentConfig {
  const vars = env as Readonly<Record<string, unknown>>;
  return {
    model: env.ANTHROPIC_MODEL || DEFAULT_MODEL,
    endpoint: new URL(urlSetting(vars, "ANTHROPIC_BASE_URL", "https://api.anthropic.com")).host,
    maxMessageChars: intSetting(vars, "AGENT_MAX_MESSAGE_CHARS", MAX_MESSAGE_CHARS, 1, 200_000),
    maxSteps: intSetting(vars, "AGENT_MAX_STEPS", 8, 1, 50),
    contextTokens: intSetting(vars, "AGENT_CONTEXT_TOKENS", 60_000, 1_000, 1_000_000),
    maxOutputTokens: intSetting(vars, "AGENT_MAX_OUTPUT_TOKENS", 4_096, 16, 64_000),
    maxParallelSubAgents: intSetting(
      vars,
      "AGENT_MAX_PARALLEL_SUBAGENTS",
      MAX_PARALLEL_SUBAGENTS_CEILING,
      1,
      MAX_PARALLEL_SUBAGENTS_CEILING,
    ),
    subAgentTimeoutMs: intSetting(vars, "AGENT_SUBAGENT_TIMEOUT_SECONDS", 900, 10, 3_600) * 1_000,
    turnWatchMs: intSetting(vars, "AGENT_TURN_WATCH_SECONDS", 30, 1, 600) * 1_000,
  };
}

/**
 * The SDK retries 408/409/429/5xx (529 overloaded included) with exponential backoff and honours
 * `retry-after`; production and dev/model differ only in the base URL.
 */
export function createModelClient(env: AgentEnv): Anthropic {
  return new Anthropic({
    apiKey: env.ANTHROPIC_API_KEY || "missing-anthropic-api-key",
    baseURL: env.ANTHROPIC_BASE_URL || undefined,
    maxRetries: 4,
    timeout: 120_000,
  });
}
