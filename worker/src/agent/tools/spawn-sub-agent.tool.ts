import { z } from "zod";
import type { AgentTool } from "../tool-registry";

const Input = z.strictObject({
  task: z
    .string()
    .min(1)
    .max(8_000)
    .describe("The whole task, self-contained: the sub-agent sees nothing of this conversation"),
  skills: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/))
    .max(10)
    .optional()
    .describe(
      "Names of the user's skills (skills/<name>/SKILL.md in memory) it should use; it sees all of them anyway",
    ),
});

export const spawnSubAgentTool: AgentTool<z.infer<typeof Input>> = {
  name: "spawn_sub_agent",
  description:
    "Delegate real work (writing or changing files, running commands, research in the workspace) to a sub-agent " +
    "that runs in the user's own sandbox with its own tools. Waits until it finishes and returns its answer. " +
    "Several can run in parallel (call it several times in one turn), up to the user's plan limit.",
  input: Input,
  run: (ctx, input) => ctx.spawnSubAgent(input.task, input.skills),
};
