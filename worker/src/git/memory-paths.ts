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

// Control characters (NUL included) have no business in a file name and confuse git plumbing and terminals.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Returns the canonical form of a repository-relative file path, or throws `MemoryPathError`.
 * Refused rather than normalised: `..`, `.`, empty segments (`a//b`, trailing `/`), a leading `/`,
 * backslashes, control characters, any `.git` segment (any case: case-insensitive file systems), and
 * more than 255 UTF-8 bytes. Refusing keeps one file from having two names.
 */
export function validateMemoryPath(path: string): string {
  if (typeof path !== "string" || path.length === 0)
    throw new MemoryPathError("invalid_path", "path is empty");
  if (CONTROL.test(path)) throw new MemoryPathError("invalid_path", "path contains a control character");
  if (path.includes("\\")) throw new MemoryPathError("invalid_path", "path contains a backslash");
  if (path.startsWith("/")) throw new MemoryPathError("invalid_path", "path must be relative (no leading /)");
  if (byteLength(path) > MAX_PATH_BYTES) {
    throw new MemoryPathError("path_too_long", `path is longer than ${MAX_PATH_BYTES} bytes`);
  }
  for (const segment of path.split("/")) {
    if (segment === "") throw new MemoryPathError("invalid_path", "path has an empty segment");
    if (segment === "." || segment === "..") {
      throw new MemoryPathError("invalid_path", "path must not contain . or .. segments");
    }
    if (segment.toLowerCase() === ".git") {
      throw new MemoryPathError("forbidden_path", "path must not touch .git");
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
