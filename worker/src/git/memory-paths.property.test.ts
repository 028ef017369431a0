import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../../../dev/gitea/git";
import { MemoryPathError, validateMemoryPath } from "./memory-paths";

/**
 * Every path `validateMemoryPath` accepts must be accepted by the real `git` too, with the protections a server
 * runs with (`core.protectNTFS`, `core.protectHFS`): otherwise a write is acknowledged, stored in the outbox and
 * then refused by git on every attempt. Checked with git's own `verify_path` (update-index) and `fsck --strict`
 * (which flags `.git` look-alikes in trees whatever the config). Fixed seed, printed; MEMORY_PATHS_SEED overrides.
 */
const SEED = Number(process.env.MEMORY_PATHS_SEED ?? 19_019);
const RUNS = 100;

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
/** Code points HFS+ ignores in names (git's is_hfs_dotgit), and other invisible ones. */
const IGNORABLE = ["\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u206a", "\u206f", "\ufeff"];
const randomCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(""));
const insertAnywhere = (text: fc.Arbitrary<string>, extra: fc.Arbitrary<string>) =>
  fc
    .tuple(text, extra, fc.nat())
    .map(([t, e, at]) => t.slice(0, at % (t.length + 1)) + e + t.slice(at % (t.length + 1)));

/** `.git` and its relatives in every disguise git knows about: case, trailing dots/spaces, ignorables, streams. */
const dotGitLike = fc
  .tuple(
    pick(["", ".", ".."]),
    randomCase("git"),
    pick(["", "modules", "attributes", "ignore", "hub", "ea", "keep", "less", "-notes"]),
    fc.array(pick([".", " ", ". ", ":", "::$INDEX_ALLOCATION", ":$DATA", "~1", "~2"]), { maxLength: 3 }),
  )
  .map(([dot, g, rest, tail]) => `${dot}${g}${rest}${tail.join("")}`);
const disguised = fc.oneof(dotGitLike, insertAnywhere(dotGitLike, pick(IGNORABLE)));

/** NTFS 8.3 short names and near misses (`git~1`, `gi7eba~1`, `GITMOD~4`, `git~`). */
const shortName = fc
  .tuple(
    pick(["git", "GIT", "gi7eba", "gitmod", "gi250a", "x", "notes"]),
    pick(["~", "~1", "~9", "~10", "~a"]),
    pick(["", ".", " ", ".md"]),
  )
  .map((parts) => parts.join(""));

const ALPHABET = [
  "a",
  "g",
  "i",
  "t",
  "G",
  "I",
  "T",
  ".",
  " ",
  "~",
  "1",
  "-",
  "_",
  "é",
  "e\u0301",
  "日",
  "\u{1f600}",
  ":",
  "\\",
  "*",
  "?",
  "[",
  "\t",
  "\u00ad",
  "\u2028",
  ...IGNORABLE,
];
const fromAlphabet = fc.array(pick(ALPHABET), { minLength: 1, maxLength: 12 }).map((cs) => cs.join(""));
const plain = fc.stringMatching(/^[a-z0-9][a-z0-9 ._-]{0,15}$/);
const anyUnicode = fc.string({ unit: "binary", minLength: 1, maxLength: 10 });

const segment = fc.oneof(
  { weight: 4, arbitrary: plain },
  { weight: 4, arbitrary: disguised },
  { weight: 2, arbitrary: shortName },
  { weight: 3, arbitrary: fromAlphabet },
  { weight: 1, arbitrary: anyUnicode },
  { weight: 1, arbitrary: pick(["", ".", "..", "con", "aux.md", "nul.txt"]) },
);
const memoryPath = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), pick(["", "", "", "/"]))
  .map(([segments, lead]) => lead + segments.join("/"));

const accepts = (candidate: string): boolean => {
  try {
    validateMemoryPath(candidate);
    return true;
  } catch (error) {
    if (error instanceof MemoryPathError) return false;
    throw error;
  }
};

describe("memory paths against the real git", () => {
  let gitDir: string;
  let blob: string;
  let batch = 0;

  beforeAll(async () => {
    gitDir = await mkdtemp(path.join(os.tmpdir(), "memory-paths-git-"));
    await git(gitDir, ["init", "--bare", "--quiet", gitDir]);
    // As on the server (Gitea sets both; git's defaults differ by platform and version).
    await git(gitDir, ["config", "core.protectNTFS", "true"]);
    await git(gitDir, ["config", "core.protectHFS", "true"]);
    blob = (await git(gitDir, ["hash-object", "-w", "--stdin"], { input: "memory\n" })).stdout
      .toString()
      .trim();
  });
  afterAll(async () => {
    if (gitDir) await rm(gitDir, { recursive: true, force: true });
  });

  /**
   * The paths git refuses out of `paths`: each is added (under its own top directory, so no two collide) to an
   * index with update-index (git's verify_path); a commit of that index must then pass `fsck --strict`.
   */
  async function refusedByGit(paths: string[]): Promise<string[]> {
    batch++;
    const env = { GIT_INDEX_FILE: path.join(gitDir, `index-${batch}`) };
    const entries = paths.map((p, i) => `t${i}/${p}`);
    const input = entries.map((e) => `100644 ${blob}\t${e}\0`).join("");
    await git(gitDir, ["update-index", "-z", "--index-info"], { input, env, allowFailure: true });
    const listed = new Set(
      (await git(gitDir, ["ls-files", "-z"], { env })).stdout.toString("utf8").split("\0"),
    );
    const refused = paths.filter((_, i) => !listed.has(entries[i] ?? ""));
    if (refused.length > 0) return refused;
    const tree = (await git(gitDir, ["write-tree"], { env })).stdout.toString().trim();
    const commitEnv = {
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@x",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@x",
    };
    const commit = (await git(gitDir, ["commit-tree", tree], { input: "batch\n", env: commitEnv })).stdout
      .toString()
      .trim();
    await git(gitDir, ["update-ref", `refs/heads/b${batch}`, commit]);
    const fsck = await git(gitDir, ["fsck", "--strict", "--no-dangling", "--no-progress"], {
      allowFailure: true,
    });
    return fsck.code === 0 ? [] : [`fsck --strict failed for batch ${batch}: ${paths.join(" | ")}`];
  }

  it("git, configured as on the server, refuses the known-bad paths (the oracle is real), and so do we", async () => {
    const knownBad = [
      ".git/config",
      ".git./x",
      ".GIT /x",
      ".Git. . /x",
      "git~1/x",
      "a/GIT~1/x",
      ".g\u200cit/x",
      "\ufeff.git/x",
      ".gi\u206ft/x",
      ".git::$INDEX_ALLOCATION/x",
      "a/../b",
      "./a",
      "a//b",
    ];
    for (const bad of knownBad) {
      expect(accepts(bad), bad).toBe(false);
      expect(await refusedByGit([bad]), bad).toEqual([bad]);
    }
    // Refused by us although git takes them: special to git or Gitea, or aliases on Windows/macOS.
    for (const special of [
      ".gitmodules",
      ".gitattributes",
      ".github/workflows/x.yml",
      "gi7eba~1",
      "a./b",
      "a:b",
    ]) {
      expect(accepts(special), special).toBe(false);
    }
    expect(await refusedByGit(["notes/fly.md", "ünïcödé/日本.md", "my .git notes.md"])).toEqual([]);
  });

  it(`every path we accept, git accepts too (fast-check, seed ${SEED})`, async () => {
    console.log(`memory-paths property: seed ${SEED}, ${RUNS} runs (MEMORY_PATHS_SEED=… to replay)`);
    let accepted = 0;
    let generated = 0;
    let nearMisses = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(memoryPath, { minLength: 20, maxLength: 120 }), async (paths) => {
        const ours = paths.filter(accepts);
        generated += paths.length;
        accepted += ours.length;
        nearMisses += ours.filter((p) => /git|~|[^\x20-\x7e]/i.test(p)).length;
        expect(await refusedByGit(ours)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`memory-paths property: ${accepted} of ${generated} accepted, ${nearMisses} near misses`);
    // Not vacuous: many paths are accepted and so really reach git, near misses (git, ~, non-ASCII) included.
    expect(accepted).toBeGreaterThan(generated / 20);
    expect(nearMisses).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(generated);
  });
});
