import { z } from "zod";
import type { AgentTool } from "../tool-registry";

const Path = z
  .string()
  .min(1)
  .max(255)
  .describe("Path in the memory repository, e.g. notes/fly.md; session/<name> for notes of this thread only");

const CommitInput = z.strictObject({
  path: Path,
  content: z
    .string()
    .max(256 * 1024)
    .describe("The whole new content of the file (markdown)"),
  message: z.string().max(200).optional().describe("Commit message: what changed and why"),
});

export const commitMemoryTool: AgentTool<z.infer<typeof CommitInput>> = {
  name: "commit_memory",
  description:
    "Save long-term memory: write a markdown file in the user's private git repository (one commit per call, " +
    "with history). Replaces the whole file, so read it first to extend it. Files under system/ are loaded into " +
    "every conversation. Paths under session/ are scratch notes for this thread only (not committed).",
  input: CommitInput,
  async run(ctx, input) {
    const result = await ctx.memory.commit({ ...input, threadId: ctx.threadId });
    // An error result, so the model does not tell the user it remembered something that git refused.
    if (result.status === "failed") {
      throw new Error(`The memory write to ${result.path} was refused (${result.reason}): ${result.error}`);
    }
    return result;
  },
};

const ReadInput = z.strictObject({ path: Path });

export const readMemoryTool: AgentTool<z.infer<typeof ReadInput>> = {
  name: "read_memory",
  description:
    "Read a memory file (or a session/ note of this thread). Returns null content if there is none.",
  input: ReadInput,
  async run(ctx, input) {
    const file = await ctx.memory.read({ ...input, threadId: ctx.threadId });
    return file ?? { path: input.path, content: null };
  },
};

const ListInput = z.strictObject({
  prefix: z.string().max(255).default("").describe('A directory: "" for the root, e.g. notes or session'),
});

export const listMemoryTool: AgentTool<z.infer<typeof ListInput>> = {
  name: "list_memory",
  description: "List the files and folders of a directory of the user's memory.",
  input: ListInput,
  run: (ctx, input) => ctx.memory.list({ ...input, threadId: ctx.threadId }),
};
