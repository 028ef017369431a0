import { describe, expect, it } from "vitest";
import { GiteaClient } from "./gitea-client";
import { writeFile } from "./write-file";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const file = (content: string) => ({
  type: "file",
  path: "a.md",
  sha: "blob-1",
  last_commit_sha: "commit-1",
  encoding: "base64",
  content: btoa(content),
});

/** A client over scripted answers, one per request in order. */
const scripted = (answers: Response[]) => {
  const methods: string[] = [];
  const client = new GiteaClient({
    baseUrl: "http://gitea.test",
    auth: { token: "t" },
    fetch: async (request) => {
      methods.push(request.method);
      return answers.shift() ?? json(500, { message: "unexpected request" });
    },
  });
  return { client, methods };
};

describe("writeFile", () => {
  it("treats 422 on create as success when our lost earlier attempt already wrote the content", async () => {
    const { client, methods } = scripted([
      json(404, { message: "not found" }),
      json(422, { message: "repository file already exists [path: a.md]" }),
      json(200, file("hello")),
    ]);
    const outcome = await writeFile(client, "o", "r", "a.md", { content: "hello", message: "m" });
    expect(outcome).toEqual({ changed: false, commitSha: "commit-1", blobSha: "blob-1" });
    expect(methods).toEqual(["GET", "POST", "GET"]);
  });

  it("reports a conflict when someone else wrote something different in between", async () => {
    const { client } = scripted([
      json(404, { message: "not found" }),
      json(422, { message: "repository file already exists [path: a.md]" }),
      json(200, file("theirs")),
    ]);
    await expect(
      writeFile(client, "o", "r", "a.md", { content: "ours", message: "m" }),
    ).rejects.toMatchObject({
      status: 409,
      kind: "conflict",
    });
  });

  it("passes on a 422 that was no race (the file did not move): a refusal, not a conflict", async () => {
    const refusal = { message: "file name is invalid [path: a.md]" };
    const { client } = scripted([
      json(404, { message: "not found" }),
      json(422, refusal),
      json(404, refusal),
    ]);
    await expect(
      writeFile(client, "o", "r", "a.md", { content: "ours", message: "m" }),
    ).rejects.toMatchObject({ status: 422, kind: "invalid" });
  });

  it("updates with the current blob sha", async () => {
    const { client, methods } = scripted([
      json(200, file("old")),
      json(200, { content: { sha: "blob-2" }, commit: { sha: "commit-2" } }),
    ]);
    const outcome = await writeFile(client, "o", "r", "a.md", { content: "new", message: "m" });
    expect(outcome).toEqual({ changed: true, commitSha: "commit-2", blobSha: "blob-2" });
    expect(methods).toEqual(["GET", "PUT"]);
  });
});
