import type { IncomingMessage } from "node:http";
import { HttpError } from "./http";
import type { GiteaStore, UserRecord } from "./store";

/**
 * Gitea's authentication for the API subset: `Authorization: token|Bearer <token>`, the deprecated `?token=` /
 * `?access_token=`, and HTTP Basic with a password or a token as the password. Admins may act as another user
 * with `Sudo` / `?sudo=`.
 */
export interface Principal {
  user: UserRecord;
  /** "password" only for Basic with the account's password: what token creation requires. */
  via: "token" | "password";
  /** Token scopes; a password login has every scope. */
  scopes: string[];
}

export const SCOPE_CATEGORIES = [
  "activitypub",
  "admin",
  "issue",
  "misc",
  "notification",
  "organization",
  "package",
  "repository",
  "user",
] as const;
export type ScopeCategory = (typeof SCOPE_CATEGORIES)[number];

export function isValidScope(scope: string): boolean {
  if (scope === "all" || scope === "public-only") return true;
  const [level, category] = scope.split(":");
  return (
    (level === "read" || level === "write") &&
    (SCOPE_CATEGORIES as readonly string[]).includes(category ?? "")
  );
}

/** `write:x` implies `read:x`; `all` implies everything. */
export function hasScope(scopes: string[], level: "read" | "write", category: ScopeCategory): boolean {
  if (scopes.includes("all")) return true;
  if (scopes.includes(`write:${category}`)) return true;
  return level === "read" && scopes.includes(`read:${category}`);
}

export function requireScope(principal: Principal, level: "read" | "write", category: ScopeCategory): void {
  if (!hasScope(principal.scopes, level, category)) {
    throw new HttpError(403, `token does not have at least one of required scope(s): [${level}:${category}]`);
  }
}

function fromToken(store: GiteaStore, token: string): Principal | null {
  const record = store.tokenBySecret(token);
  const user = record && store.userById(record.uid);
  return record && user ? { user, via: "token", scopes: record.scopes } : null;
}

/** Null for an anonymous request; throws 401 for credentials that do not check out. */
export function authenticate(req: IncomingMessage, url: URL, store: GiteaStore): Principal | null {
  const header = req.headers.authorization ?? "";
  const [scheme = "", value = ""] = header.split(/\s+/, 2);
  let principal: Principal | null = null;

  if (/^(token|bearer)$/i.test(scheme)) {
    principal = fromToken(store, value);
    if (!principal) throw new HttpError(401, "invalid username, password or token");
  } else if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? "" : decoded.slice(colon + 1);
    const user = store.userByLogin(username);
    if (user && store.checkPassword(user, password)) principal = { user, via: "password", scopes: ["all"] };
    else {
      // Gitea accepts a token as the password (or as the username with an empty password).
      const byToken = fromToken(store, password) ?? fromToken(store, username);
      if (
        byToken &&
        (colon < 0 || password === "" || byToken.user.login.toLowerCase() === username.toLowerCase())
      ) {
        principal = byToken;
      }
    }
    if (!principal) throw new HttpError(401, "invalid username, password or token");
  } else {
    const queryToken = url.searchParams.get("token") ?? url.searchParams.get("access_token");
    if (queryToken) {
      principal = fromToken(store, queryToken);
      if (!principal) throw new HttpError(401, "invalid username, password or token");
    }
  }

  if (principal?.via === "password" && principal.user.mustChangePassword) {
    throw new HttpError(403, "You must change your password. Change it at: /user/change_password");
  }

  const sudo = req.headers.sudo ?? url.searchParams.get("sudo");
  if (principal && typeof sudo === "string" && sudo !== "") {
    if (!principal.user.isAdmin) throw new HttpError(403, "Only administrators allowed to sudo.");
    const target = store.userByLogin(sudo);
    if (!target) throw new HttpError(404, `user does not exist [name: ${sudo}]`);
    principal = { ...principal, user: target };
  }
  return principal;
}

export function requireSignedIn(principal: Principal | null): Principal {
  if (!principal) throw new HttpError(401, "token is required");
  return principal;
}

export function requireAdmin(principal: Principal | null): Principal {
  const signedIn = requireSignedIn(principal);
  requireScope(signedIn, "write", "admin");
  if (!signedIn.user.isAdmin) throw new HttpError(403, "user should be the site admin");
  return signedIn;
}
