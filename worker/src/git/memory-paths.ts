/**
 * Validation of memory file paths and contents, shared by the Gitea client, the memory service and its routes.
 * Pure functions: nothing here touches the network, so a refused write never reaches Gitea.
 */

export const MAX_PATH_BYTES = 255;
export const MAX_CONTENT_BYTES = 256 * 1024;

export type MemoryPathErrorCode =
  | "invalid_path"
  | "path_too_long"
  | "forbidden_path"
  | "content_too_large"
  | "invalid_content";

/** A refused path or content: `status` is the HTTP status a route should answer with (400 or 413). */
export class MemoryPathError extends Error {
  readonly status: 400 | 413;
  constructor(
    readonly code: MemoryPathErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "MemoryPathError";
    this.status = code === "content_too_large" ? 413 : 400;
  }
}

const encoder = new TextEncoder();
export const byteLength = (text: string): number => encoder.encode(text).byteLength;

/**
 * Characters refused anywhere in a path:
 * - control (Cc), format (Cf: zero-width joiners, bidi controls, BOM) and line/paragraph separators: invisible
 *   or confusing in a name, and the format characters include every code point HFS+ ignores (git's
 *   `is_hfs_dotgit`: U+200C-U+200F, U+202A-U+202E, U+206A-U+206F, U+FEFF), so `.g\u200cit` is `.git` on a Mac;
 * - lone surrogates (not encodable as UTF-8: the name stored would differ from the one asked for);
 * - `\` (a separator on Windows), `:` (NTFS alternate data streams: `.git::$INDEX_ALLOCATION` is `.git`),
 *   `<>"|` (not allowed on Windows), and `*?[]` (pathspec globs: `git log -- a*` would match other files).
 */
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\\:<>"|*?[\]]/u;

/**
 * Names that git, Gitea or a checkout treat specially, compared case-insensitively (NTFS and HFS+ are
 * case-insensitive): anything starting `.git` (`.git` itself, `.gitmodules`, `.gitattributes` (filters, LFS),
 * `.gitignore`, `.gitea`/`.github` (Actions workflows, templates)), `.lfsconfig` and `.mailmap`.
 */
const SPECIAL_NAME = /^(\.git|\.lfsconfig$|\.mailmap$)/i;
/** NTFS 8.3 short names (`git~1` is `.git`, `gi7eba~1` is `.gitmodules`): a `~` followed by a digit. */
const SHORT_NAME = /~\d/;
/** Windows device names, with or without an extension: such a file cannot be checked out on Windows. */
const DEVICE_NAME = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

const invalid = (message: string) => new MemoryPathError("invalid_path", message);
const forbidden = (message: string) => new MemoryPathError("forbidden_path", message);

/**
 * Returns the canonical form of a repository-relative file path, or throws `MemoryPathError`.
 * Refused rather than normalised, so one file never has two names: `..`, `.`, empty segments (`a//b`, trailing
 * `/`), a leading `/`, text not in Unicode NFC, the characters above, segments ending in `.` or a space (Windows
 * drops those: `.git.` is `.git`), names git or Gitea treat specially (`.git…` in any case, NTFS short names,
 * Windows device names), and more than 255 UTF-8 bytes. Every path accepted here is accepted by git itself with
 * `core.protectNTFS` and `core.protectHFS` on (memory-paths.property.test.ts checks against the real binary),
 * so a write can never be stored here and then refused by git forever.
 */
export function validateMemoryPath(path: string): string {
  if (typeof path !== "string" || path.length === 0) throw invalid("path is empty");
  const bad = FORBIDDEN_CHARACTER.exec(path);
  if (bad) {
    const code = bad[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0");
    throw invalid(`path contains a character not allowed in memory paths (U+${code})`);
  }
  if (path.normalize("NFC") !== path) throw invalid("path must be in Unicode NFC form");
  if (path.startsWith("/")) throw invalid("path must be relative (no leading /)");
  if (byteLength(path) > MAX_PATH_BYTES) {
    throw new MemoryPathError("path_too_long", `path is longer than ${MAX_PATH_BYTES} bytes`);
  }
  for (const segment of path.split("/")) {
    if (segment === "") throw invalid("path has an empty segment");
    if (segment === "." || segment === "..") throw invalid("path must not contain . or .. segments");
    if (SPECIAL_NAME.test(segment)) throw forbidden(`"${segment}" is a name git treats specially`);
    if (SHORT_NAME.test(segment)) throw forbidden("a path segment must not contain ~ followed by a digit");
    if (DEVICE_NAME.test(segment)) throw forbidden(`"${segment}" is a reserved device name on Windows`);
    if (segment.endsWith(".") || segment.endsWith(" ")) {
      throw invalid("a path segment must not end with a dot or a space");
    }
  }
  return path;
}

/** A directory path for listings: "" (the root) or a valid path, with a trailing "/" tolerated. */
export function validateMemoryDirectory(path: string): string {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed === "" ? "" : validateMemoryPath(trimmed);
}

/** Refuses content over 256 KiB (UTF-8 bytes) and text with NUL bytes (memory is markdown, not binary). */
export function validateMemoryContent(content: string): string {
  if (typeof content !== "string") throw new MemoryPathError("invalid_content", "content must be text");
  if (content.includes("\u0000")) throw new MemoryPathError("invalid_content", "content contains a NUL byte");
  if (byteLength(content) > MAX_CONTENT_BYTES) {
    throw new MemoryPathError("content_too_large", `content is larger than ${MAX_CONTENT_BYTES} bytes`);
  }
  return content;
}

/** Files under `system/` are always loaded into the agent's context. */
export const SYSTEM_DIRECTORY = "system";
export const isSystemPath = (path: string): boolean => path.startsWith(`${SYSTEM_DIRECTORY}/`);
