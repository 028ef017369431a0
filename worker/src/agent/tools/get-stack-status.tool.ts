import { z } from "zod";
import type { AgentTool } from "../tool-registry";

const Input = z.strictObject({});

export const getStackStatusTool: AgentTool<z.infer<typeof Input>> = {
  name: "get_stack_status",
  description:
    "Read the state of the user's sandbox (the OpenCode and git machines sub-agents run on): none, creating, " +
    "starting, ready, suspending, suspended or failed. Reading never wakes it.",
  input: Input,
  async run(ctx) {
    const stack = await ctx.env.PROVISIONER.stackStatus(ctx.userId, 0);
    if (stack.status === "none")
      return { status: "none", note: "Not provisioned yet; it is created on first use." };
    // Machine ids and edge URLs are infrastructure details: the model gets the state, not the addresses.
    return {
      status: stack.status,
      region: stack.region,
      lastActiveAt: stack.lastActiveAt,
      lastError: stack.lastError,
      recentProgress: stack.events.slice(-5).map((e) => ({ type: e.type, at: e.at })),
    };
  },
};
