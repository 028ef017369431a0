import type { AuthProvider } from "./auth-provider";
import { type ClerkAuthOptions, createClerkAuth } from "./clerk-auth";
import { createDevAuth } from "./dev-auth";

export interface AuthConfig {
  /** Clerk's publishable key (`pk_live_…`/`pk_test_…`): sign in through Clerk. Unset: the local dev issuer. */
  clerkPublishableKey?: string;
}

/** Build-time config: `VITE_CLERK_PUBLISHABLE_KEY=pk_live_… npm run build:web` (like `VITE_API_ORIGIN`). */
export const authConfig = (): AuthConfig => ({
  clerkPublishableKey:
    (import.meta.env.VITE_CLERK_PUBLISHABLE_KEY as string | undefined)?.trim() || undefined,
});

/**
 * Clerk (`@clerk/clerk-js`) as a lazy chunk of its own, loaded only when a key is configured. The condition is the
 * build-time constant itself, so a build without a key leaves Clerk out altogether.
 */
const loadClerk: ClerkAuthOptions["loadClerk"] | undefined = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY
  ? async (publishableKey) => (await import("./clerk-loader")).loadClerk(publishableKey)
  : undefined;

/** Clerk when a publishable key is configured, the dev issuer otherwise. */
export function createAuthProvider(
  config: AuthConfig,
  clerk: Partial<Omit<ClerkAuthOptions, "publishableKey">> = {},
): AuthProvider {
  const load = clerk.loadClerk ?? loadClerk;
  if (!config.clerkPublishableKey || !load) return createDevAuth();
  return createClerkAuth({ ...clerk, loadClerk: load, publishableKey: config.clerkPublishableKey });
}

/** The app's one provider: the REST client, the actor connection and the views all ask it. */
export const auth: AuthProvider = createAuthProvider(authConfig());

/** Who is signed in (null: nobody, or not known yet while `auth.status()` is `loading`). */
export const session = auth.user;

export const signOut = (): Promise<void> => auth.signOut();
