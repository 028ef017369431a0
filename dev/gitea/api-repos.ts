import { requireScope, requireSignedIn } from "./auth";
import { canWrite, type DevGiteaContext, gitIdentity, isEmptyRepo, NOT_FOUND, visibleRepo } from "./context";
import { commitFile, countCommits, entryAt, isSafeRef, listTree, log, readBlob, resolveCommit } from "./git";
import { HttpError, readJson, sendJson, str } from "./http";
import { commitJson, contentsJson, fileCommitJson, repoJson, unverified } from "./json";
import type { Route, RouteRequest } from "./routes";

// biome-ignore lint/suspicious/noControlCharactersInRegex: git paths must not carry control characters.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Gitea refuses paths that clean to something else or touch `.git` (ErrFilePathInvalid → 422). */
function checkFilePath(filePath: string): string {
  const segments = filePath.split("/");
  const bad = segments.some((s) => s === "" || s === "." || s === ".." || s.toLowerCase() === ".git");
  if (filePath === "" || bad || CONTROL.test(filePath)) {
    throw new HttpError(422, `path contains a malformed path component [path: ${filePath}]`);
  }
  return filePath;
}

function decodeContent(value: unknown): Buffer {
  if (typeof value !== "string") throw new HttpError(422, "content is required");
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(value)) throw new HttpError(422, "content is not valid base64");
  return Buffer.from(value, "base64");
}

function identity(value: unknown): { name: string; email: string } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const name = str((value as Record<string, unknown>).name);
  const email = str((value as Record<string, unknown>).email);
  return name && email ? { name, email } : undefined;
}

/**
 * Gitea's `dates` (CommitDateOptions): RFC 3339 author and committer dates for the commit. A value Go's time parser
 * refuses is a 422, as Gitea answers a body that does not bind.
 */
function commitDates(value: unknown): { author?: string; committer?: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object") throw new HttpError(422, "dates must be an object");
  const gitDate = (raw: unknown) => {
    if (raw === undefined || raw === null || raw === "") return undefined;
    const ms = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(ms)) throw new HttpError(422, `invalid date: ${String(raw).slice(0, 40)}`);
    // git's own format, so sub-second precision and zones parse the same everywhere.
    return `@${Math.floor(ms / 1000)} +0000`;
  };
  const dates = value as Record<string, unknown>;
  return { author: gitDate(dates.author), committer: gitDate(dates.committer) };
}

function pageParams(url: URL) {
  const page = Math.max(1, Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1);
  const limit = Math.min(50, Math.max(1, Number.parseInt(url.searchParams.get("limit") ?? "30", 10) || 30));
  return { page, limit };
}

export function repoRoutes(context: DevGiteaContext): Route[] {
  const { store, urls } = context;

  /** Scope first (Gitea checks it for the whole /repos group), then visibility (404). */
  const open = (request: RouteRequest, level: "read" | "write") => {
    if (request.principal) requireScope(request.principal, level, "repository");
    const found = visibleRepo(context, request.principal, request.params[0] ?? "", request.params[1] ?? "");
    if (level === "write") {
      const signedIn = requireSignedIn(request.principal);
      if (!canWrite(signedIn, found.owner)) throw new HttpError(403, "user does not have write access");
    }
    return { ...found, fullName: `${found.owner.login}/${found.repo.name}` };
  };

  const refOf = (url: URL, fallback: string) => {
    const ref = url.searchParams.get("ref") || url.searchParams.get("sha") || fallback;
    if (!isSafeRef(ref)) throw new HttpError(404, NOT_FOUND);
    return ref;
  };

  async function getContents(request: RouteRequest, url: URL, filePath: string) {
    const { repo, gitDir, fullName } = open(request, "read");
    const ref = refOf(url, repo.defaultBranch);
    const commit = await resolveCommit(gitDir, ref);
    if (!commit) throw new HttpError(404, NOT_FOUND);
    const lastCommit = async (p: string) =>
      (await log(gitDir, commit, { path: p, max: 1 }))[0]?.sha ?? commit;
    if (filePath !== "") {
      const entry = await entryAt(gitDir, commit, checkFilePath(filePath));
      if (!entry) throw new HttpError(404, NOT_FOUND);
      if (entry.type === "blob") {
        const content = await readBlob(gitDir, entry.sha);
        return sendJson(
          request.res,
          200,
          contentsJson(urls, fullName, ref, entry, await lastCommit(filePath), content),
        );
      }
    }
    const entries = await listTree(gitDir, commit, filePath);
    const body = [];
    for (const entry of entries)
      body.push(contentsJson(urls, fullName, ref, entry, await lastCommit(entry.path)));
    sendJson(request.res, 200, body);
  }

  async function writeFile(request: RouteRequest, mode: "create" | "update") {
    const { repo, gitDir, fullName } = open(request, "write");
    const filePath = checkFilePath(decodeURIComponentSafe(request.params[2] ?? ""));
    const body = await readJson(request.req);
    if (str(body.new_branch)) throw new HttpError(422, "new_branch is not supported by the dev Gitea");
    const content = decodeContent(body.content);
    const branch = str(body.branch) || repo.defaultBranch;
    if (!isSafeRef(branch)) throw new HttpError(404, `branch does not exist [name: ${branch}]`);
    const doer = gitIdentity(requireSignedIn(request.principal).user);
    const dates = commitDates(body.dates);
    const author = { ...(identity(body.author) ?? identity(body.committer) ?? doer), date: dates.author };
    const committer = {
      ...(identity(body.committer) ?? identity(body.author) ?? doer),
      date: dates.committer,
    };
    const message = str(body.message) || `${mode === "create" ? "Add" : "Update"} ${filePath}`;

    const commit = await context.exclusive(repo, async () => {
      const parent = await resolveCommit(gitDir, `refs/heads/${branch}`);
      if (!parent && !(await isEmptyRepo(gitDir, repo))) {
        throw new HttpError(404, `branch does not exist [name: ${branch}]`);
      }
      const existing = parent ? await entryAt(gitDir, parent, filePath) : null;
      if (mode === "create" && existing)
        throw new HttpError(422, `repository file already exists [path: ${filePath}]`);
      if (mode === "update") {
        const sha = str(body.sha);
        if (!sha) throw new HttpError(422, "sha is required to update a file");
        if (!existing) throw new HttpError(404, `repository file does not exist [path: ${filePath}]`);
        if (existing.sha !== sha) {
          throw new HttpError(422, `sha does not match [given: ${sha}, expected: ${existing.sha}]`);
        }
      }
      if (existing && existing.type !== "blob")
        throw new HttpError(422, `a directory exists at [path: ${filePath}]`);
      return commitFile(gitDir, {
        branch,
        parent,
        filePath,
        content,
        message: message.endsWith("\n") ? message : `${message}\n`,
        author,
        committer,
      });
    });

    repo.updated = new Date().toISOString();
    await store.save();
    const [record] = await log(gitDir, commit, { max: 1 });
    const entry = await entryAt(gitDir, commit, filePath);
    if (!record || !entry) throw new Error("commit vanished after writing");
    sendJson(request.res, mode === "create" ? 201 : 200, {
      content: contentsJson(urls, fullName, branch, entry, commit, content),
      commit: fileCommitJson(urls, fullName, record),
      verification: unverified,
    });
  }

  return [
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)$/,
      async (request: RouteRequest) => {
        const { owner, repo, gitDir } = open(request, "read");
        const writable = canWrite(request.principal, owner);
        sendJson(
          request.res,
          200,
          repoJson(urls, repo, owner, {
            empty: await isEmptyRepo(gitDir, repo),
            canWrite: writable,
            isAdmin: request.principal?.user.isAdmin ?? false,
          }),
        );
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/contents\/?$/,
      (request: RouteRequest, url: URL) => getContents(request, url, ""),
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/,
      (request: RouteRequest, url: URL) =>
        getContents(request, url, decodeURIComponentSafe(request.params[2] ?? "")),
    ],
    [
      "POST",
      /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/,
      (request: RouteRequest) => writeFile(request, "create"),
    ],
    [
      "PUT",
      /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/,
      (request: RouteRequest) => writeFile(request, "update"),
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/commits$/,
      async (request: RouteRequest, url: URL) => {
        const { repo, gitDir, fullName } = open(request, "read");
        if (await isEmptyRepo(gitDir, repo)) throw new HttpError(409, "Git Repository is empty.");
        const commit = await resolveCommit(gitDir, refOf(url, repo.defaultBranch));
        if (!commit) throw new HttpError(404, NOT_FOUND);
        const filePath = url.searchParams.get("path") || undefined;
        if (filePath) checkFilePath(filePath);
        const { page, limit } = pageParams(url);
        const total = await countCommits(gitDir, commit, filePath);
        const records = await log(gitDir, commit, { path: filePath, skip: (page - 1) * limit, max: limit });
        const body = records.map((record) =>
          commitJson(urls, fullName, record, {
            author: store.userByEmail(record.author.email),
            committer: store.userByEmail(record.committer.email),
          }),
        );
        const pages = Math.max(1, Math.ceil(total / limit));
        sendJson(request.res, 200, body, {
          "x-total": String(total),
          "x-total-count": String(total),
          "x-page": String(page),
          "x-perpage": String(limit),
          "x-pagecount": String(pages),
          "x-hasmore": String(page < pages),
          "access-control-expose-headers":
            "X-Total-Count, X-PerPage, X-Total, X-PageCount, X-HasMore, X-Page",
        });
      },
    ],
  ];
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpError(404, NOT_FOUND);
  }
}
