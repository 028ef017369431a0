import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createSecretBox, generateSecretBoxKey } from "../../../platform/secret-box";
import { GiteaClient } from "./gitea-client";

/** A dev Gitea of the test's own (test/support/workerd-global-setup.ts), not a setting of the Worker. */
const bindings = env as unknown as { TEST_GITEA_URL?: string; TEST_GITEA_ADMIN_TOKEN?: string };

/** The client, its retries and the secret box use only Web APIs: prove it inside workerd, against dev/gitea. */
describe("git manager inside workerd", () => {
  it("creates a user, mints a token, seals it, and commits through the contents API", async () => {
    const admin = new GiteaClient({
      baseUrl: bindings.TEST_GITEA_URL ?? "",
      auth: { token: bindings.TEST_GITEA_ADMIN_TOKEN ?? "" },
    });
    expect(await admin.version()).toMatch(/^1\./);
    const login = `wd-${crypto.randomUUID().slice(0, 8)}`;
    const password = `pw-${crypto.randomUUID()}`;
    await admin.adminCreateUser({ username: login, email: `${login}@growqr.invalid`, password });
    const minted = await admin
      .withAuth({ basic: { username: login, password } })
      .createToken(login, { name: "memory", scopes: ["write:repository", "read:user"] });
    await admin.adminCreateRepo(login, { name: "growqr-memory", private: true });

    const box = await createSecretBox(generateSecretBoxKey());
    const sealed = await box.seal(minted.sha1 ?? "", login);
    const user = admin.withAuth({ token: await box.open(sealed, login) });
    const written = await user.createFile(login, "growqr-memory", "system/persona.md", {
      content: "Ünïcode ✓\n",
      message: "persona",
    });
    const file = await user.getFile(login, "growqr-memory", "system/persona.md");
    expect(file).toMatchObject({ content: "Ünïcode ✓\n", sha: written.blobSha });
    const commits = await user.listCommits(login, "growqr-memory", { path: "system/persona.md" });
    expect(commits.map((c) => c.sha)).toEqual([written.commitSha]);
  });
});
