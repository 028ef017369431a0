import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import type { Database } from "../../../schema/db";
import type { Env } from "../env";
import type { MemoryService } from "../memory/memory-service";

/** What a tool may touch: the verified owner of the turn, never anything the model claims. */
export interface ToolContext {
  userId: string;
  threadId: string;
  db: Database;
  env: Env;
  memory: MemoryService;
  /** Starts a sub-agent for this thread's turn and waits for its outcome (agent-runtime.ts). */
  spawnSubAgent(task: string, skills?: string[]): Promise<SpawnedSubAgent>;
  /** A schedule of the user's was created: the Grow Agent re-arms its alarm (worker/src/schedules/). */
  schedulesChanged(): void;
  signal: AbortSignal;
}

export interface SpawnedSubAgent {
  subAgentId: string;
  status: "completed" | "failed" | "cancelled";
  result?: string;
  error?: string;
}

export interface AgentTool<Input = unknown> {
  name: string;
  /** Shown to the model: say what the tool does and when to use it. */
  description: string;
  input: z.ZodType<Input>;
  run(ctx: ToolContext, input: Input): Promise<unknown>;
}

export interface ToolOutcome {
  toolUseId: string;
  name: string;
  isError: boolean;
  /** JSON text handed back to the model as the tool_result. */
  content: string;
}

/** Tool results go back into the context window: a runaway result must not crowd out the conversation. */
export const MAX_TOOL_RESULT_CHARS = 20_000;

/** Typed tools → Anthropic tool definitions, and validated execution of the model's tool calls. */
export class ToolRegistry {
  readonly #tools = new Map<string, AgentTool>();

  register<Input>(tool: AgentTool<Input>): this {
    if (this.#tools.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice`);
    this.#tools.set(tool.name, tool as AgentTool);
    return this;
  }

  get names(): string[] {
    return [...this.#tools.keys()];
  }

  definitions(): Anthropic.Tool[] {
    return [...this.#tools.values()].map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: z.toJSONSchema(tool.input, { target: "draft-7" }) as Anthropic.Tool.InputSchema,
    }));
  }

  /** Never throws: a bad input or a failing tool becomes an error result the model can read and recover from. */
  async execute(ctx: ToolContext, call: { id: string; name: string; input: unknown }): Promise<ToolOutcome> {
    const base = { toolUseId: call.id, name: call.name };
    const tool = this.#tools.get(call.name);
    if (!tool) return { ...base, isError: true, content: errorText(`Unknown tool ${call.name}`) };
    const parsed = tool.input.safeParse(call.input);
    if (!parsed.success) {
      return {
        ...base,
        isError: true,
        content: errorText(`Invalid input: ${z.prettifyError(parsed.error)}`),
      };
    }
    try {
      const result = await tool.run(ctx, parsed.data);
      return { ...base, isError: false, content: truncate(JSON.stringify(result ?? null)) };
    } catch (error) {
      if (ctx.signal.aborted) return { ...base, isError: true, content: errorText("Cancelled") };
      const message = error instanceof Error ? error.message : String(error);
      return { ...base, isError: true, content: errorText(message) };
    }
  }
}

const errorText = (message: string) => JSON.stringify({ error: message.slice(0, 2_000) });

const truncate = (text: string) =>
  text.length <= MAX_TOOL_RESULT_CHARS
    ? text
    : `${text.slice(0, MAX_TOOL_RESULT_CHARS)}… [truncated ${text.length - MAX_TOOL_RESULT_CHARS} chars]`;
