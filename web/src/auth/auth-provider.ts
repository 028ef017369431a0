import type { Accessor } from "solid-js";

/** Who is signed in, as the SPA shows and keys it (never sent to the API: the token is the only identity). */
export interface SignedInUser {
  /** Stable per user: keys the live connection and the caches that must not outlive a sign-out. */
  id: string;
  /** What the top bar shows. */
  name: string;
}

/** `loading`: the provider does not know yet whether anyone is signed in (Clerk loading); `failed`: it never will. */
export type AuthStatus = "loading" | "ready" | "failed";

/**
 * Where session tokens come from. The REST client (`api/client.ts`) and the live channel
 * (`live/agent-connection.ts`) ask `token()` for every request and every (re)connect; the app shows the sign-in view while
 * `user()` is null. Two implementations, chosen by config in `session.ts`: the local dev issuer (`dev-auth.ts`) and
 * Clerk (`clerk-auth.ts`).
 */
interface AuthProviderBase {
  user: Accessor<SignedInUser | null>;
  status: Accessor<AuthStatus>;
  /** Why the provider failed (status `failed`), readable. */
  problem: Accessor<string | null>;
  /** A session token valid for a while yet (renewed before it expires); null when signed out. */
  token(): Promise<string | null>;
  /** Ends the session; `user()` is null and `token()` answers null from then on. */
  signOut(): Promise<void>;
}

/** The local dev issuer: any user name gets a token (`dev/issuer`, reached through Vite at `/dev-auth`). */
export interface DevAuthProvider extends AuthProviderBase {
  kind: "dev";
  signIn(username: string): Promise<void>;
}

/** Clerk (`@clerk/clerk-js`, loaded lazily): Clerk's own sign-in component, mounted into a node of ours. */
export interface ClerkAuthProvider extends AuthProviderBase {
  kind: "clerk";
  /** Mounts Clerk's sign-in into `node` once Clerk has loaded; the returned function unmounts it. */
  mountSignIn(node: HTMLDivElement): () => void;
}

export type AuthProvider = DevAuthProvider | ClerkAuthProvider;
