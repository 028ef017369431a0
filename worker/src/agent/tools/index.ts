import { ToolRegistry } from "../tool-registry";
import { getStackStatusTool } from "./get-stack-status.tool";
import { listThreadsTool } from "./list-threads.tool";
import { commitMemoryTool, listMemoryTool, readMemoryTool } from "./memory.tools";
import { scheduleTaskTool } from "./schedule-task.tool";
import { spawnSubAgentTool } from "./spawn-sub-agent.tool";

/** Every tool the Grow Agent offers the model. */
export function agentTools(): ToolRegistry {
  return new ToolRegistry()
    .register(listThreadsTool)
    .register(getStackStatusTool)
    .register(commitMemoryTool)
    .register(readMemoryTool)
    .register(listMemoryTool)
    .register(spawnSubAgentTool)
    .register(scheduleTaskTool);
}
