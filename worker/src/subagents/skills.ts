/**
 * The user's skills are `skills/<name>/SKILL.md` in their memory repository; OpenCode in the sandbox finds them in
 * its clone (sandbox-workspace.ts) and offers them through its own `skill` tool. The Grow Agent may still name some
 * for a task: they become a line of the task, since OpenCode loads a skill by name when the model asks for it.
 */
export function withSkillsHint(task: string, skills: readonly string[]): string {
  if (skills.length === 0) return task;
  return `${task}\n\nUse these skills of the user (load each with the skill tool): ${skills.join(", ")}.`;
}
