/**
 * Plain-language prompts the dev model turns into calls of the Grow Agent's tools, so that `npm run dev` can
 * be driven by typing naturally. Only tools the request offers are ever called.
 */
export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

const FIRST_WORDS = 6;

const firstWords = (text: string): string => text.trim().split(/\s+/).slice(0, FIRST_WORDS).join(" ");

/** `notes/<slug>.md`-style slug: the first words, lower-case, dashes between, at most 48 characters. */
export const slugOf = (text: string): string =>
  firstWords(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 48)
    .replace(/^-+|-+$/g, "") || "note";

type Intent = (prompt: string, offered: ReadonlySet<string>) => ToolCall | undefined;

const recall: Intent = (prompt, offered) => {
  const about = /\bwhat do you remember(?:\s+about\s+(.+))?/is.exec(prompt);
  if (!about && !/\brecall\b/i.test(prompt)) return undefined;
  if (offered.has("list_memory")) return { name: "list_memory", input: { prefix: "" } };
  const topic = about?.[1] ?? prompt.replace(/^[\s\S]*?\brecall\b/i, "");
  if (offered.has("read_memory"))
    return { name: "read_memory", input: { path: `notes/${slugOf(topic)}.md` } };
  return undefined;
};

const remember: Intent = (prompt, offered) => {
  const what = /\bremember\s+([\s\S]+)/i.exec(prompt)?.[1]?.trim();
  if (!what || !offered.has("commit_memory")) return undefined;
  return {
    name: "commit_memory",
    input: { path: `notes/${slugOf(what)}.md`, content: what, message: `Remember: ${firstWords(what)}` },
  };
};

const simple =
  (pattern: RegExp, name: string, input: (prompt: string) => Record<string, unknown>): Intent =>
  (prompt, offered) =>
    pattern.test(prompt) && offered.has(name) ? { name, input: input(prompt) } : undefined;

/** Checked in order; recall comes before remember because "what do you remember" contains "remember". */
const INTENTS: Intent[] = [
  recall,
  remember,
  simple(/\bmy threads\b/i, "list_threads", () => ({})),
  simple(/\bstack status\b|\bsandbox\b/i, "get_stack_status", () => ({})),
  simple(/\bdelegate\b|\bsub-?agent\b|\bspawn\b/i, "spawn_sub_agent", (prompt) => ({ task: prompt })),
];

export function naturalToolCall(prompt: string, offered: ReadonlySet<string>): ToolCall | undefined {
  for (const intent of INTENTS) {
    const call = intent(prompt, offered);
    if (call) return call;
  }
  return undefined;
}
