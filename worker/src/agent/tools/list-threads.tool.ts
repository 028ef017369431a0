import { z } from "zod";
import { listThreads } from "../../threads/threads.repository";
import type { AgentTool } from "../tool-registry";

const Input = z.strictObject({
  limit: z.number().int().min(1).max(50).default(20).describe("How many threads, newest first"),
});

export const listThreadsTool: AgentTool<z.infer<typeof Input>> = {
  name: "list_threads",
  description:
    "List the user's conversation threads (id, title, last update), newest first. Use it when the user asks " +
    "about their other conversations.",
  input: Input,
  async run(ctx, input) {
    const { rows, hasMore } = await listThreads(ctx.db, ctx.userId, { limit: input.limit });
    const threads = rows.map((t) => ({
      id: t.id,
      title: t.title || "(untitled)",
      updatedAt: t.updatedAt.toISOString(),
    }));
    return { threads, hasMore };
  },
};
