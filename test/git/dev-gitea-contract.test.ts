import { readFileSync } from "node:fs";
import Ajv, { type ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevGitea, startDevGitea } from "../../dev/gitea/server";
import { SUBSET_SPEC } from "../../worker/src/git/spec/generate-gitea-types";
import { uniqueLogin } from "../support/gitea";

/**
 * dev/gitea against Gitea 1.22's own Swagger document: every status it answers must be one the spec declares
 * for that operation, and every body must match the declared schema. Two deliberate adjustments, both Go's JSON
 * semantics: any property may be null (Go pointers), and for the shapes the client reads every declared
 * property must be present (Gitea's structs have no `omitempty` there), so a missing field is caught. 401 and
 * 403 from authentication are allowed everywhere: Gitea's middleware sends them, and the spec omits them.
 */
type Json = Record<string, unknown>;
const spec = JSON.parse(readFileSync(SUBSET_SPEC, "utf8")) as Json;
const definitions = spec.definitions as Record<string, Json>;
const responses = spec.responses as Record<string, Json>;
const paths = spec.paths as Record<string, Record<string, Json>>;

const FULLY_PRESENT = new Set([
  "User",
  "AccessToken",
  "ContentsResponse",
  "FileLinksResponse",
  "FileResponse",
  "FileCommitResponse",
  "Commit",
  "RepoCommit",
  "CommitUser",
  "CommitMeta",
  "ServerVersion",
  "APIError",
]);

function relax(node: unknown, name?: string): unknown {
  if (Array.isArray(node)) return node.map((item) => relax(item));
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string") out.$ref = `gitea${value}`;
    else if (key === "properties" && typeof value === "object" && value !== null) {
      const props: Json = {};
      for (const [prop, schema] of Object.entries(value as Json)) {
        props[prop] = { anyOf: [relax(schema), { type: "null" }] };
      }
      out.properties = props;
      if (name && FULLY_PRESENT.has(name)) out.required = Object.keys(value as Json);
    } else out[key] = relax(value);
  }
  return out;
}

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(
  {
    $id: "gitea",
    definitions: Object.fromEntries(Object.entries(definitions).map(([k, v]) => [k, relax(v, k)])),
  },
  "gitea",
);

// Gitea's auth middleware answers these on any route, so the spec leaves them out of each operation.
const MIDDLEWARE_ERRORS: Record<number, Json> = {
  401: { description: "unauthorized", schema: { $ref: "#/definitions/APIError" } },
  403: { description: "forbidden", schema: { $ref: "#/definitions/APIError" } },
};

function responseSpec(path: string, method: string, status: number): Json | undefined {
  const declared = paths[path]?.[method]?.responses as Record<string, Json> | undefined;
  const entry = declared?.[String(status)] ?? MIDDLEWARE_ERRORS[status];
  if (!entry) return undefined;
  const ref = entry.$ref;
  return typeof ref === "string" ? responses[ref.split("/").pop() ?? ""] : entry;
}

const validators = new Map<string, ValidateFunction>();

describe("dev/gitea honours Gitea's Swagger contract", () => {
  let gitea: DevGitea;
  const checked: string[] = [];

  /** Calls dev/gitea and checks the answer against `specPath` + method in the spec. */
  const call = async (
    specPath: string,
    method: string,
    urlPath: string,
    init: { body?: unknown; auth?: string } = {},
  ): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const response = await fetch(`${gitea.url}/api/v1${urlPath}`, {
      method,
      headers: {
        authorization: init.auth ?? `token ${gitea.adminToken}`,
        ...(init.body ? { "content-type": "application/json" } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await response.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    const declared = responseSpec(specPath, method.toLowerCase(), response.status);
    expect(
      declared,
      `${method} ${specPath} answered ${response.status}, which the spec does not declare`,
    ).toBeDefined();
    const schema =
      (declared?.schema as Json | undefined) ??
      (response.status >= 400 ? { $ref: "#/definitions/APIError" } : undefined);
    if (schema) {
      const key = JSON.stringify(schema);
      let validate = validators.get(key);
      if (!validate) {
        validate = ajv.compile(relax(schema) as Json);
        validators.set(key, validate);
      }
      expect(
        validate(body),
        `${method} ${specPath} ${response.status}: ${ajv.errorsText(validate.errors)}`,
      ).toBe(true);
    }
    checked.push(`${method} ${specPath} ${response.status}`);
    return { status: response.status, body, headers: response.headers };
  };

  beforeAll(async () => {
    gitea = await startDevGitea();
  });
  afterAll(() => gitea?.close());

  it("answers every operation the client uses with declared statuses and schema-valid bodies", async () => {
    const login = uniqueLogin("contract");
    const password = `pw-${crypto.randomUUID()}`;
    const basic = `Basic ${btoa(`${login}:${password}`)}`;
    const repo = `/repos/${login}/memory`;

    await call("/version", "GET", "/version");
    const user = { username: login, email: `${login}@growqr.invalid`, password, must_change_password: false };
    expect((await call("/admin/users", "POST", "/admin/users", { body: user })).status).toBe(201);
    expect((await call("/admin/users", "POST", "/admin/users", { body: user })).status).toBe(422);
    await call("/users/{username}", "GET", `/users/${login}`);
    await call("/users/{username}", "GET", `/users/${login}-missing`);
    const edit = { login_name: login, source_id: 0, password, must_change_password: false };
    await call("/admin/users/{username}", "PATCH", `/admin/users/${login}`, { body: edit });

    const created = await call("/users/{username}/tokens", "POST", `/users/${login}/tokens`, {
      auth: basic,
      body: { name: "t", scopes: ["write:repository", "read:user"] },
    });
    expect(created.status).toBe(201);
    await call("/users/{username}/tokens", "POST", `/users/${login}/tokens`, {
      auth: basic,
      body: { name: "t", scopes: ["write:repository"] },
    });
    const token = `token ${(created.body as { sha1: string }).sha1}`;
    await call("/users/{username}/tokens", "POST", `/users/${login}/tokens`, {
      auth: token,
      body: { name: "u" },
    });
    await call("/users/{username}/tokens", "GET", `/users/${login}/tokens`, { auth: basic });
    await call("/user", "GET", "/user", { auth: token });

    const repoBody = {
      name: "memory",
      private: true,
      auto_init: true,
      readme: "Default",
      default_branch: "main",
    };
    expect(
      (await call("/admin/users/{username}/repos", "POST", `/admin/users/${login}/repos`, { body: repoBody }))
        .status,
    ).toBe(201);
    await call("/admin/users/{username}/repos", "POST", `/admin/users/${login}/repos`, { body: repoBody });
    await call("/admin/users/{username}/repos", "POST", `/admin/users/${login}/repos`, {
      body: repoBody,
      auth: token,
    });
    await call("/user/repos", "POST", "/user/repos", { auth: token, body: { name: "empty", private: true } });
    await call("/repos/{owner}/{repo}", "GET", repo, { auth: token });
    await call("/repos/{owner}/{repo}", "GET", `/repos/${login}/nope`, { auth: token });

    const file = "/contents/notes/a.md";
    const write = { content: btoa("hello"), message: "add a" };
    const added = await call("/repos/{owner}/{repo}/contents/{filepath}", "POST", `${repo}${file}`, {
      auth: token,
      body: write,
    });
    expect(added.status).toBe(201);
    await call("/repos/{owner}/{repo}/contents/{filepath}", "POST", `${repo}${file}`, {
      auth: token,
      body: write,
    });
    await call("/repos/{owner}/{repo}/contents/{filepath}", "POST", `${repo}/contents/.git/config`, {
      auth: token,
      body: write,
    });
    const sha = (added.body as { content: { sha: string } }).content.sha;
    await call("/repos/{owner}/{repo}/contents/{filepath}", "PUT", `${repo}${file}`, {
      auth: token,
      body: { content: btoa("hello again"), sha, message: "update a" },
    });
    await call("/repos/{owner}/{repo}/contents/{filepath}", "PUT", `${repo}${file}`, {
      auth: token,
      body: { content: btoa("stale"), sha, message: "stale" },
    });
    await call("/repos/{owner}/{repo}/contents/{filepath}", "GET", `${repo}${file}`, { auth: token });
    await call("/repos/{owner}/{repo}/contents/{filepath}", "GET", `${repo}/contents/missing.md`, {
      auth: token,
    });
    await call("/repos/{owner}/{repo}/contents", "GET", `${repo}/contents`, { auth: token });
    const commits = await call(
      "/repos/{owner}/{repo}/commits",
      "GET",
      `${repo}/commits?path=notes/a.md&limit=10`,
      {
        auth: token,
      },
    );
    expect((commits.body as unknown[]).length).toBe(2);
    expect(commits.headers.get("x-total")).toBe("2");
    await call("/repos/{owner}/{repo}/commits", "GET", `/repos/${login}/empty/commits`, { auth: token });
    await call("/users/{username}/tokens/{token}", "DELETE", `/users/${login}/tokens/t`, { auth: basic });

    expect(checked.length).toBeGreaterThanOrEqual(25);
  });

  it("the check has teeth: a missing or mistyped field fails", () => {
    const validate = ajv.compile({ $ref: "gitea#/definitions/AccessToken" });
    const good = { id: 1, name: "t", sha1: "s", token_last_eight: "12345678", scopes: ["all"] };
    expect(validate(good)).toBe(true);
    const { sha1: _, ...missing } = good;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...good, id: "1" })).toBe(false);
  });

  it("a directory read through contents/{filepath} is a list of ContentsResponse, as in Gitea", async () => {
    const login = uniqueLogin("dir");
    await call("/admin/users", "POST", "/admin/users", {
      body: {
        username: login,
        email: `${login}@growqr.invalid`,
        password: "password-123",
        must_change_password: false,
      },
    });
    await call("/admin/users/{username}/repos", "POST", `/admin/users/${login}/repos`, {
      body: { name: "r", private: true, auto_init: true, default_branch: "main" },
    });
    await call("/repos/{owner}/{repo}/contents/{filepath}", "POST", `/repos/${login}/r/contents/d/x.md`, {
      body: { content: btoa("x") },
    });
    const response = await fetch(`${gitea.url}/api/v1/repos/${login}/r/contents/d`, {
      headers: { authorization: `token ${gitea.adminToken}` },
    });
    const list = ajv.compile(relax(responses.ContentsListResponse?.schema) as Json);
    expect(list(await response.json()), ajv.errorsText(list.errors)).toBe(true);
  });
});
