import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import type { Env } from "../env";
import { memoryReader } from "../memory/memory-reader";

export const SKILLS_DIRECTORY = "skills";
/** Skills go into the sub-agent's system prompt: bounded, whatever the repository holds. */
const MAX_SKILLS = 10;
const MAX_SKILL_BYTES = 48 * 1024;

export interface Skill {
  name: string;
  content: string;
}

/**
 * The user's skills: markdown files under `skills/` of their memory repository (`skills/<name>.md`). `only`
 * picks some by name. An unreachable repository means no skills, not a failed task.
 */
export async function loadSkills(
  deps: { env: Env; db: Database; userId: string; log: Logger },
  only?: readonly string[],
): Promise<Skill[]> {
  // Listing and reading skills never wake anything: the sub-agent's own bring-up starts the machines.
  const memory = memoryReader({ ...deps, background: (work) => void work.catch(() => {}) });
  try {
    const files = (await memory.list({ prefix: SKILLS_DIRECTORY })).filter(
      (entry) => entry.type === "file" && entry.path.endsWith(".md"),
    );
    const wanted = only && only.length > 0 ? new Set(only) : undefined;
    const skills: Skill[] = [];
    let bytes = 0;
    for (const file of files) {
      const name = file.path.slice(SKILLS_DIRECTORY.length + 1, -".md".length);
      if (wanted && !wanted.has(name)) continue;
      const read = await memory.read({ path: file.path });
      if (!read || bytes + read.content.length > MAX_SKILL_BYTES) continue;
      bytes += read.content.length;
      skills.push({ name, content: read.content });
      if (skills.length >= MAX_SKILLS) break;
    }
    return skills;
  } catch (error) {
    deps.log.warn("skills unavailable; the sub-agent runs without them", { error });
    return [];
  }
}

/** The skills as a system prompt addition for the OpenCode session. */
export function skillsPrompt(skills: readonly Skill[]): string | undefined {
  if (skills.length === 0) return undefined;
  const body = skills.map((s) => `<skill name="${s.name}">\n${s.content.trim()}\n</skill>`).join("\n\n");
  return `The user keeps these skills (how they like things done). Follow them where they apply.\n\n${body}`;
}
