/**
 * Just enough of Dockerfile and .dockerignore semantics to check the runtime images without a Docker engine:
 * COPY/ADD sources and ENV of a Dockerfile, and whether a context path is excluded by .dockerignore.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";

export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Instructions with line continuations joined and comments dropped (no heredocs: the images use none). */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let current = lines[i] ?? "";
    if (/^\s*(#|$)/.test(current)) continue;
    while (/\\\s*$/.test(current) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? "";
      if (/^\s*#/.test(next)) continue;
      current = `${current.replace(/\\\s*$/, "")} ${next}`;
    }
    const match = /^\s*(\S+)\s*(.*)$/.exec(current);
    if (match)
      out.push({ line: start + 1, keyword: (match[1] ?? "").toUpperCase(), args: (match[2] ?? "").trim() });
  }
  return out;
}

function splitArgs(args: string): string[] {
  if (args.startsWith("[")) return JSON.parse(args) as string[];
  return args.split(/\s+/).filter(Boolean);
}

export interface CopySource {
  line: number;
  keyword: string;
  source: string;
}

/** Sources of every COPY/ADD that reads the build context (not `--from=` another stage or image, not URLs). */
export function copySources(instructions: Instruction[]): CopySource[] {
  const out: CopySource[] = [];
  for (const { line, keyword, args } of instructions) {
    if (keyword !== "COPY" && keyword !== "ADD") continue;
    const words = splitArgs(args);
    const flags = words.filter((word) => word.startsWith("--"));
    if (flags.some((flag) => flag.startsWith("--from="))) continue;
    const paths = words.filter((word) => !word.startsWith("--"));
    for (const source of paths.slice(0, -1)) {
      if (/^(https?|git):\/\//.test(source) || source.startsWith("git@")) continue;
      out.push({ line, keyword, source });
    }
  }
  return out;
}

/** ENV instructions, `KEY=value` pairs (optionally quoted) and the legacy `KEY value` form. */
export function envOf(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of instructions) {
    if (keyword !== "ENV") continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
      const [key = "", ...rest] = args.split(/\s+/);
      env[key] = rest.join(" ");
      continue;
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const [, key = "", value = ""] = match;
      env[key] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
  }
  return env;
}

interface IgnoreRule {
  negate: boolean;
  regex: RegExp;
}

function patternRegex(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    if (c === "*" && pattern[i + 1] === "*") {
      // `**/` matches any number of directories, including none.
      if (pattern[i + 2] === "/") {
        out += "(?:.*/)?";
        i += 2;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/**
 * .dockerignore as Docker reads it: one pattern a line (`#` comments), cleaned and relative to the context
 * root; `*`, `?` and `**` globs; `!` re-includes. A path is excluded when the last pattern matching it or one of
 * its parent directories is not a negation.
 */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split("\n")) {
    let line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    line = posix.normalize(line).replace(/^\/+/, "").replace(/\/+$/, "");
    if (!line || line === ".") continue;
    rules.push({ negate, regex: patternRegex(line) });
  }
  return rules;
}

export function isExcluded(rules: IgnoreRule[], path: string): boolean {
  const clean = posix
    .normalize(path)
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");
  const parts = clean.split("/");
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let excluded = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = !rule.negate;
  }
  return excluded;
}

/** Every problem with one Dockerfile's COPY/ADD sources against a build context: missing or ignored. */
export function buildContextProblems(dockerfile: string, context: string): string[] {
  const problems: string[] = [];
  const ignoreFile = join(context, ".dockerignore");
  const rules = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, "utf8")) : [];
  const name = relative(context, dockerfile);
  for (const { line, keyword, source } of copySources(parseDockerfile(readFileSync(dockerfile, "utf8")))) {
    const where = `${name}:${line} ${keyword} ${source}`;
    if (/[*?[]/.test(source)) {
      problems.push(`${where}: wildcard sources are not checked; name the files`);
      continue;
    }
    const resolved = posix.normalize(source).replace(/^\/+/, "");
    if (resolved.startsWith("..")) {
      problems.push(`${where}: outside the build context`);
      continue;
    }
    if (!existsSync(join(context, resolved))) {
      problems.push(`${where}: not found in the build context ${context}`);
      continue;
    }
    if (isExcluded(rules, resolved)) problems.push(`${where}: excluded by .dockerignore`);
  }
  return problems;
}

/** Files under a directory whose name passes the filter (repo-relative POSIX paths). */
export function filesUnder(root: string, dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const full = join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (keep(entry)) out.push(relative(root, full).split("\\").join("/"));
    }
  };
  walk(join(root, dir));
  return out.sort();
}
