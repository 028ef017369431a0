/**
 * `[[…]]` directives that test authors put in a prompt to steer the dev model (table in README.md). Parsing
 * is separate from planning so that the grammar lives in one place.
 */
export interface FailDirective {
  status: number;
  /** Fail this many times, then answer normally; undefined: always fail. */
  times?: number;
  /** Counter key: `id=` if given, else the directive's own text. */
  key: string;
  retryAfterSeconds?: number;
}

export type ToolDirective =
  | { name: string; input: Record<string, unknown> }
  | { name: string; invalid: string };

export interface Directives {
  fail?: FailDirective;
  failMidstream: boolean;
  slowMs?: number;
  words?: number;
  /** `[[markdown]]`: answer with a fixed reply using headings, a list, a table and a code block. */
  markdown: boolean;
  tools: ToolDirective[];
  /** The prompt with every directive removed and whitespace collapsed. */
  rest: string;
}

const MAX_WORDS = 1_000_000;
const MAX_SLOW_MS = 600_000;

export function readDirectives(prompt: string): Directives {
  const found: Directives = { failMidstream: false, markdown: false, tools: [], rest: "" };
  let rest = "";
  let cursor = 0;
  for (;;) {
    const start = prompt.indexOf("[[", cursor);
    if (start < 0) break;
    const head = /^\[\[(fail-midstream|fail|slow|words|markdown|tool)(?=[:\]])/i.exec(prompt.slice(start));
    const name = head?.[1]?.toLowerCase();
    const end = name === undefined ? -1 : directiveEnd(prompt, start, name);
    if (name === undefined || end < 0) {
      rest += prompt.slice(cursor, start + 2);
      cursor = start + 2;
      continue;
    }
    rest += `${prompt.slice(cursor, start)} `;
    apply(
      found,
      name,
      prompt.slice(start + 2 + name.length, end).replace(/^:/, ""),
      prompt.slice(start, end + 2),
    );
    cursor = end + 2;
  }
  found.rest = (rest + prompt.slice(cursor)).replace(/\s+/g, " ").trim();
  return found;
}

/** Index of the closing `]]`; for tools, the first one after which the argument is valid JSON. */
function directiveEnd(prompt: string, start: number, name: string): number {
  const first = prompt.indexOf("]]", start + 2);
  if (name !== "tool" || first < 0) return first;
  const space = prompt.slice(start).search(/\s/);
  const argsFrom = space < 0 ? -1 : start + space;
  for (let end = first; end >= 0; end = prompt.indexOf("]]", end + 1)) {
    if (argsFrom < 0 || argsFrom > end) return end;
    if (isJson(prompt.slice(argsFrom, end))) return end;
  }
  return first;
}

function apply(found: Directives, name: string, body: string, text: string): void {
  switch (name) {
    case "fail-midstream":
      found.failMidstream = true;
      return;
    case "markdown":
      found.markdown = true;
      return;
    case "slow": {
      const ms = Number.parseInt(body, 10);
      if (ms >= 0) found.slowMs = Math.min(ms, MAX_SLOW_MS);
      return;
    }
    case "words": {
      const n = Number.parseInt(body, 10);
      if (n >= 1) found.words = Math.min(n, MAX_WORDS);
      return;
    }
    case "fail": {
      const [statusText, ...options] = body.trim().split(/\s+/);
      const status = Number(statusText);
      if (found.fail || !(Number.isInteger(status) && status >= 400 && status <= 599)) return;
      const option = (key: string) =>
        options.find((o) => o.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const times = option("times");
      const retryAfter = option("retry-after");
      found.fail = {
        status,
        ...(times !== undefined && { times: Math.max(0, Number.parseInt(times, 10) || 0) }),
        key: option("id") ?? text.toLowerCase(),
        ...(retryAfter !== undefined && { retryAfterSeconds: Math.max(0, Number(retryAfter) || 0) }),
      };
      return;
    }
    case "tool": {
      const match = /^\s*([A-Za-z0-9_-]+)\s*([\s\S]*)$/.exec(body);
      if (!match?.[1]) return;
      const args = match[2]?.trim() ?? "";
      const input = args === "" ? {} : parseObject(args);
      found.tools.push(input ? { name: match[1], input } : { name: match[1], invalid: args });
      return;
    }
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
