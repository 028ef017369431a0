import { ToolRegistry } from "../tool-registry";
import { getStackStatusTool } from "./get-stack-status.tool";
import { listThreadsTool } from "./list-threads.tool";

/**
 * Every tool the Grow Agent offers the model. The memory tools (commit_memory, read_memory, list_memory) and
 * spawn_sub_agent register here when their issues land.
 */
export function agentTools(): ToolRegistry {
  return new ToolRegistry().register(listThreadsTool).register(getStackStatusTool);
}
