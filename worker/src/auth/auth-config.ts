import { ApiError } from "../../../platform/api-error";

export interface AuthConfig {
  /** PEM public key of the Clerk instance: verification without a network call. */
  jwtKey?: string;
  /** Clerk secret key: verification with the instance's JWKS, fetched and cached by @clerk/backend. */
  secretKey?: string;
  /** Expected `iss` (the Clerk Frontend API URL). */
  issuer: string;
  /** Allowed `azp` values: the origins of our own front ends. */
  authorizedParties: string[];
}

export interface AuthEnv {
  CLERK_JWT_KEY?: string;
  CLERK_SECRET_KEY?: string;
  CLERK_ISSUER?: string;
  AUTHORIZED_PARTIES?: string;
}

export const splitList = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** Refuses to run with a configuration that would accept tokens it should not. */
export function readAuthConfig(env: AuthEnv): AuthConfig {
  const authorizedParties = splitList(env.AUTHORIZED_PARTIES);
  if ((!env.CLERK_JWT_KEY && !env.CLERK_SECRET_KEY) || !env.CLERK_ISSUER || authorizedParties.length === 0) {
    throw new ApiError(
      "auth_unavailable",
      "Sign-in is not configured on this server (CLERK_JWT_KEY or CLERK_SECRET_KEY, CLERK_ISSUER, AUTHORIZED_PARTIES)",
    );
  }
  return {
    jwtKey: env.CLERK_JWT_KEY?.replaceAll("\\n", "\n"),
    secretKey: env.CLERK_SECRET_KEY,
    issuer: env.CLERK_ISSUER,
    authorizedParties,
  };
}
