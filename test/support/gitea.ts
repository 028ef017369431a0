import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { GIT_ENV } from "../../dev/gitea/git";
import { startDevGitea } from "../../dev/gitea/server";
import { GiteaClient } from "../../worker/src/git/gitea-client";

const run = promisify(execFile);

export interface TestGitea {
  url: string;
  adminToken: string;
  /** True against a real Gitea (GITEA_URL + GITEA_ADMIN_TOKEN set). */
  real: boolean;
  admin: GiteaClient;
  close(): Promise<void>;
}

/** A real Gitea when `GITEA_URL` and `GITEA_ADMIN_TOKEN` are set; otherwise the dev Gitea on a free port. */
export async function startTestGitea(): Promise<TestGitea> {
  const realUrl = process.env.GITEA_URL;
  const realToken = process.env.GITEA_ADMIN_TOKEN;
  if (realUrl && realToken) {
    return {
      url: realUrl,
      adminToken: realToken,
      real: true,
      admin: new GiteaClient({ baseUrl: realUrl, auth: { token: realToken } }),
      close: async () => {},
    };
  }
  const gitea = await startDevGitea();
  return {
    url: gitea.url,
    adminToken: gitea.adminToken,
    real: false,
    admin: new GiteaClient({ baseUrl: gitea.url, auth: { token: gitea.adminToken } }),
    close: () => gitea.close(),
  };
}

/** A Gitea username no other test uses. */
export const uniqueLogin = (prefix = "t") =>
  `${prefix}-${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

/** `git clone` over smart HTTP with Basic credentials, then `git log` of the clone: what a developer would see. */
export async function cloneAndLog(
  repoUrl: string,
  credentials: { username: string; password: string },
): Promise<{
  dir: string;
  log: Array<{ author: string; email: string; subject: string }>;
  cleanup(): Promise<void>;
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gitea-clone-"));
  const url = new URL(repoUrl);
  url.username = encodeURIComponent(credentials.username);
  url.password = encodeURIComponent(credentials.password);
  const env = { ...GIT_ENV, HOME: dir };
  await run("git", ["clone", "--quiet", url.toString(), path.join(dir, "repo")], { env });
  const { stdout } = await run("git", ["-C", path.join(dir, "repo"), "log", "--format=%an%x00%ae%x00%s"], {
    env,
  });
  const log = stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [author = "", email = "", subject = ""] = line.split("\0");
      return { author, email, subject };
    });
  return { dir: path.join(dir, "repo"), log, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
