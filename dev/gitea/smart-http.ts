import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { type Principal, requireScope } from "./auth";
import { type DevGiteaContext, visibleRepo } from "./context";
import { GIT_ENV } from "./git";
import { HttpError } from "./http";

/** `/{owner}/{repo}(.git)/info/refs` and `/{owner}/{repo}(.git)/git-upload-pack`: clone and fetch only. */
export const SMART_HTTP = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/**
 * Git's smart HTTP through `git http-backend` (CGI). Every repository needs Basic auth (a password, or a token
 * with read:repository as the password), as with a Gitea that requires signing in; anonymous clients get a Basic
 * challenge so git asks.
 * Pushing is not offered: memory is written through the contents API only.
 */
export async function serveSmartHttp(
  context: DevGiteaContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  principal: Principal | null,
  match: RegExpMatchArray,
): Promise<void> {
  const [, ownerName = "", repoName = "", action = ""] = match;
  const service = action === "info/refs" ? url.searchParams.get("service") : action;
  if (service === "git-receive-pack") throw new HttpError(403, "the dev Gitea does not accept pushes");
  if (service !== "git-upload-pack") throw new HttpError(403, "only smart HTTP (git-upload-pack) is served");

  // Sign-in required for everything (REQUIRE_SIGNIN_VIEW): a challenge, so git asks for credentials.
  if (!principal)
    throw new HttpError(401, "authentication required", { "www-authenticate": 'Basic realm="Gitea"' });
  requireScope(principal, "read", "repository");
  const found = visibleRepo(context, principal, ownerName, repoName);

  const pathInfo = `/${path.relative(context.reposDir, found.gitDir)}/${action}`;
  const child = spawn("git", ["http-backend"], {
    env: {
      ...GIT_ENV,
      GIT_PROJECT_ROOT: context.reposDir,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: pathInfo,
      REQUEST_METHOD: req.method ?? "GET",
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_USER: principal?.user.login ?? "",
      REMOTE_ADDR: req.socket.remoteAddress ?? "",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  req.pipe(child.stdin);
  child.stdin.on("error", () => {});
  child.stderr.resume();

  // CGI output: headers, a blank line, then the body, which is streamed as it comes.
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const separator = end === crlf ? 4 : 2;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "status") status = Number.parseInt(value, 10) || 200;
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    headersSent = true;
    res.write(head.subarray(end + separator));
  });
  await new Promise<void>((resolve) => {
    child.once("close", (code) => {
      if (!headersSent) res.writeHead(code === 0 ? 200 : 500).end();
      else res.end();
      resolve();
    });
  });
}
