import { describe, expect, it } from "vitest";
import {
  isSystemPath,
  MAX_CONTENT_BYTES,
  MemoryPathError,
  validateMemoryContent,
  validateMemoryDirectory,
  validateMemoryPath,
} from "./memory-paths";

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof MemoryPathError) return { code: error.code, status: error.status };
    throw error;
  }
  throw new Error("expected a MemoryPathError");
};

describe("validateMemoryPath", () => {
  it.each([
    "notes.md",
    "system/persona.md",
    "a/b/c/d.md",
    "ünïcödé/日本.md",
    "dir.with.dots/.hidden",
    "a..b.md",
    "auxiliary.md",
    "git/notes.md",
    "my .git notes.md",
    "v1.2 draft.md",
    "é.md",
  ])("accepts %s", (path) => {
    expect(validateMemoryPath(path)).toBe(path);
  });

  it.each([
    ["", "invalid_path"],
    ["../secrets", "invalid_path"],
    ["notes/../../x", "invalid_path"],
    ["..", "invalid_path"],
    ["./a.md", "invalid_path"],
    ["/etc/passwd", "invalid_path"],
    ["a//b.md", "invalid_path"],
    ["dir/", "invalid_path"],
    ["a\\b.md", "invalid_path"],
    ["..\\..\\x", "invalid_path"],
    ["a\u0000.md", "invalid_path"],
    ["a\nb.md", "invalid_path"],
    [".git/config", "forbidden_path"],
    ["x/.git/hooks/pre-commit", "forbidden_path"],
    [".GIT/HEAD", "forbidden_path"],
    // What git itself refuses with core.protectNTFS / core.protectHFS (verify_path, is_ntfs_dotgit, is_hfs_dotgit).
    [".git./x", "forbidden_path"],
    [".git /x", "forbidden_path"],
    [".Git. . /x", "forbidden_path"],
    ["git~1/config", "forbidden_path"],
    ["GIT~1/config", "forbidden_path"],
    [".git::$INDEX_ALLOCATION/x", "invalid_path"],
    [".g\u200cit/x", "invalid_path"],
    ["\ufeff.git/x", "invalid_path"],
    [".gi\u206ft/x", "invalid_path"],
    // Names git or Gitea give a meaning: submodules, attributes (filters, LFS), workflows, short names of those.
    [".gitmodules", "forbidden_path"],
    [".gitattributes", "forbidden_path"],
    ["a/.gitignore", "forbidden_path"],
    [".github/workflows/x.yml", "forbidden_path"],
    [".gitea/workflows/x.yml", "forbidden_path"],
    [".lfsconfig", "forbidden_path"],
    [".mailmap", "forbidden_path"],
    ["gi7eba~1", "forbidden_path"],
    ["aux.md", "forbidden_path"],
    ["dir/COM1", "forbidden_path"],
    // Aliases on Windows or macOS, and characters that are not plain names.
    ["notes./a.md", "invalid_path"],
    ["notes /a.md", "invalid_path"],
    ["e\u0301.md", "invalid_path"],
    ["x\ud800.md", "invalid_path"],
    ["a:b.md", "invalid_path"],
    ["a*b.md", "invalid_path"],
    ["what?.md", "invalid_path"],
    ["[draft].md", "invalid_path"],
    ["a\u2028b.md", "invalid_path"],
    [`${"a".repeat(256)}`, "path_too_long"],
    [`${"é".repeat(128)}`, "path_too_long"], // 256 bytes in UTF-8, 128 characters
  ])("refuses %j with %s (400)", (path, code) => {
    expect(refusal(() => validateMemoryPath(path))).toEqual({ code, status: 400 });
  });

  it("accepts exactly 255 bytes", () => {
    expect(validateMemoryPath("a".repeat(255))).toHaveLength(255);
  });
});

describe("validateMemoryDirectory", () => {
  it("accepts the root and tolerates one trailing slash", () => {
    expect(validateMemoryDirectory("")).toBe("");
    expect(validateMemoryDirectory("/")).toBe("");
    expect(validateMemoryDirectory("system/")).toBe("system");
  });
  it("refuses traversal", () => {
    expect(refusal(() => validateMemoryDirectory("../x")).code).toBe("invalid_path");
  });
});

describe("validateMemoryContent", () => {
  it("accepts up to 256 KiB of UTF-8", () => {
    expect(validateMemoryContent("x".repeat(MAX_CONTENT_BYTES))).toHaveLength(MAX_CONTENT_BYTES);
  });
  it("refuses more than 256 KiB with 413, counting bytes not characters", () => {
    expect(refusal(() => validateMemoryContent("x".repeat(MAX_CONTENT_BYTES + 1)))).toEqual({
      code: "content_too_large",
      status: 413,
    });
    expect(refusal(() => validateMemoryContent("é".repeat(MAX_CONTENT_BYTES / 2 + 1))).status).toBe(413);
  });
  it("refuses NUL bytes", () => {
    expect(refusal(() => validateMemoryContent("a\u0000b")).code).toBe("invalid_content");
  });
});

it("isSystemPath", () => {
  expect(isSystemPath("system/a.md")).toBe(true);
  expect(isSystemPath("systems/a.md")).toBe(false);
  expect(isSystemPath("system")).toBe(false);
});
