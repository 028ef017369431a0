import { isValidScope, type Principal, requireAdmin, requireScope, requireSignedIn } from "./auth";
import { createRepository, type DevGiteaContext, isValidUsername, NOT_FOUND } from "./context";
import { bool, HttpError, readJson, sendJson, str } from "./http";
import { repoJson, tokenJson, userJson } from "./json";
import type { Route, RouteRequest } from "./routes";
import type { UserRecord } from "./store";

export const DEV_GITEA_VERSION = "1.22.0+growqr-dev";

type Request = RouteRequest;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function userOr404(context: DevGiteaContext, username: string): UserRecord {
  const user = context.store.userByLogin(username);
  if (!user) throw new HttpError(404, `user does not exist [name: ${username}]`);
  return user;
}

async function createRepoFor(context: DevGiteaContext, owner: UserRecord, { req, res }: Request) {
  const body = await readJson(req);
  const name = str(body.name);
  if (!name) throw new HttpError(422, "name is required");
  const repo = await createRepository(context, owner, {
    name,
    description: str(body.description) ?? "",
    private: bool(body.private) ?? false,
    defaultBranch: str(body.default_branch) || "main",
    autoInit: bool(body.auto_init) ?? false,
  });
  sendJson(
    res,
    201,
    repoJson(context.urls, repo, owner, { empty: !body.auto_init, canWrite: true, isAdmin: true }),
  );
}

/** Routes on users, tokens and admin, as `[method, pattern, handler]`; patterns match the path after /api/v1. */
export function userRoutes(context: DevGiteaContext): Route[] {
  const { store, urls } = context;
  return [
    ["GET", /^\/version$/, ({ res }: Request) => sendJson(res, 200, { version: DEV_GITEA_VERSION })],
    [
      "GET",
      /^\/user$/,
      ({ res, principal }: Request) => {
        const signedIn = requireSignedIn(principal);
        requireScope(signedIn, "read", "user");
        sendJson(res, 200, userJson(urls, signedIn.user));
      },
    ],
    [
      "GET",
      /^\/users\/([^/]+)$/,
      ({ res, principal, params }: Request) => {
        if (principal) requireScope(principal, "read", "user");
        const user = store.userByLogin(params[0] ?? "");
        const visible =
          user &&
          (user.visibility === "public" ||
            (principal !== null && (principal.user.isAdmin || principal.user.id === user.id)));
        if (!user || !visible) throw new HttpError(404, `user does not exist [name: ${params[0]}]`);
        sendJson(res, 200, userJson(urls, user, { withEmail: principal !== null }));
      },
    ],
    [
      "POST",
      /^\/admin\/users$/,
      async ({ req, res, principal }: Request) => {
        requireAdmin(principal);
        const body = await readJson(req);
        const username = str(body.username) ?? "";
        const email = str(body.email) ?? "";
        const password = str(body.password) ?? "";
        if (!isValidUsername(username)) throw new HttpError(422, `invalid username [name: ${username}]`);
        if (!EMAIL.test(email)) throw new HttpError(422, `e-mail invalid [email: ${email}]`);
        if (password.length < 8) throw new HttpError(400, "password is too short (8 characters at least)");
        if (store.userByLogin(username)) throw new HttpError(422, `user already exists [name: ${username}]`);
        if (store.userByEmail(email)) throw new HttpError(422, `e-mail already in use [email: ${email}]`);
        const visibility = str(body.visibility);
        const user = store.createUser({
          login: username,
          email,
          password,
          fullName: str(body.full_name),
          // Gitea's default when the field is omitted: the user must change the password first.
          mustChangePassword: bool(body.must_change_password) ?? true,
          visibility: visibility === "private" || visibility === "limited" ? visibility : "public",
        });
        await store.save();
        sendJson(res, 201, userJson(urls, user));
      },
    ],
    [
      "PATCH",
      /^\/admin\/users\/([^/]+)$/,
      async ({ req, res, principal, params }: Request) => {
        requireAdmin(principal);
        const user = userOr404(context, params[0] ?? "");
        const body = await readJson(req);
        if (body.login_name === undefined || body.source_id === undefined) {
          throw new HttpError(422, "login_name and source_id are required");
        }
        const password = str(body.password);
        if (password !== undefined && password !== "") {
          if (password.length < 8) throw new HttpError(400, "password is too short (8 characters at least)");
          store.setPassword(user, password);
        }
        const mustChange = bool(body.must_change_password);
        if (mustChange !== undefined) user.mustChangePassword = mustChange;
        const fullName = str(body.full_name);
        if (fullName !== undefined) user.fullName = fullName;
        await store.save();
        sendJson(res, 200, userJson(urls, user));
      },
    ],
    [
      "POST",
      /^\/admin\/users\/([^/]+)\/repos$/,
      async (request: Request) => {
        requireAdmin(request.principal);
        await createRepoFor(context, userOr404(context, request.params[0] ?? ""), request);
      },
    ],
    [
      "POST",
      /^\/user\/repos$/,
      async (request: Request) => {
        const signedIn = requireSignedIn(request.principal);
        requireScope(signedIn, "write", "repository");
        await createRepoFor(context, signedIn.user, request);
      },
    ],
    ...tokenRoutes(context),
  ];
}

/**
 * Token endpoints need HTTP Basic with the account's password (Gitea: `reqBasicOrRevProxyAuth`): a token cannot
 * mint or list tokens, not even one sent as the Basic password. Only the user themself or an admin.
 */
function tokenOwner(context: DevGiteaContext, principal: Principal | null, username: string): UserRecord {
  if (principal?.via !== "password") throw new HttpError(401, "auth required");
  const user = userOr404(context, username);
  if (principal.user.id !== user.id && !principal.user.isAdmin) {
    throw new HttpError(403, "only the user themself or an admin may manage tokens");
  }
  return user;
}

function tokenRoutes(context: DevGiteaContext): Route[] {
  const { store } = context;
  return [
    [
      "GET",
      /^\/users\/([^/]+)\/tokens$/,
      ({ res, principal, params }: Request) => {
        const user = tokenOwner(context, principal, params[0] ?? "");
        const tokens = store.tokensOf(user.id).map((record) => tokenJson(record));
        sendJson(res, 200, tokens, { "x-total-count": String(tokens.length) });
      },
    ],
    [
      "POST",
      /^\/users\/([^/]+)\/tokens$/,
      async ({ req, res, principal, params }: Request) => {
        const user = tokenOwner(context, principal, params[0] ?? "");
        const body = await readJson(req);
        const name = str(body.name);
        if (!name) throw new HttpError(422, "name is required");
        const scopes = Array.isArray(body.scopes)
          ? body.scopes.filter((s): s is string => typeof s === "string")
          : [];
        if (scopes.length === 0) throw new HttpError(400, "access token must have a scope");
        const invalid = scopes.find((scope) => !isValidScope(scope));
        if (invalid) throw new HttpError(400, `invalid access token scope provided: ${invalid}`);
        if (store.tokensOf(user.id).some((token) => token.name === name)) {
          throw new HttpError(400, "access token name has been used already");
        }
        const { record, token } = store.createToken(user.id, name, scopes);
        await store.save();
        sendJson(res, 201, tokenJson(record, token));
      },
    ],
    [
      "DELETE",
      /^\/users\/([^/]+)\/tokens\/([^/]+)$/,
      async ({ res, principal, params }: Request) => {
        const user = tokenOwner(context, principal, params[0] ?? "");
        const key = params[1] ?? "";
        const matches = store
          .tokensOf(user.id)
          .filter((token) => String(token.id) === key || token.name === key);
        if (matches.length === 0) throw new HttpError(404, NOT_FOUND);
        if (matches.length > 1) throw new HttpError(422, "multiple matches for token name, use ID instead");
        store.deleteToken((matches[0] as { id: number }).id);
        await store.save();
        res.writeHead(204).end();
      },
    ],
  ];
}
