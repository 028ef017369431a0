import { verifyToken } from "@clerk/backend";
import { TokenVerificationError } from "@clerk/backend/errors";
import type { ErrorCode } from "../../../contract/error-codes";
import { ApiError } from "../../../platform/api-error";
import type { AuthConfig } from "./auth-config";
import { configKey, VerifiedTokens } from "./verified-tokens";

/** What a verified Clerk session token tells us about the caller. */
export interface SessionClaims {
  /** Clerk user id: the only source of identity. */
  sub: string;
  sessionId?: string;
  /** Custom session-token claims (Clerk dashboard → Sessions → customize session token). */
  email?: string;
  name?: string;
  imageUrl?: string;
  expiresAt: number;
}

const MAX_TOKEN_LENGTH = 8_192;
const CLOCK_SKEW_MS = 5_000;

const unauthorized = (code: ErrorCode, message: string) =>
  new ApiError(code, message, { "WWW-Authenticate": `Bearer error="invalid_token"` });

/** Reads `Authorization: Bearer <token>`; anything else is a 401 before any cryptography runs. */
export function bearerToken(header: string | undefined): string {
  if (!header)
    throw new ApiError("missing_token", "Send a session token: Authorization: Bearer <token>", {
      "WWW-Authenticate": "Bearer",
    });
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header.trim());
  if (!match?.[1] || match[1].length > MAX_TOKEN_LENGTH)
    throw unauthorized("invalid_token", "The Authorization header is not a bearer JWT");
  return match[1];
}

/** @clerk/backend 3 throws on failure; its typings still describe the older `{ data } | { errors }` result. */
function unwrap(result: unknown): Record<string, unknown> {
  const shaped = result as { data?: unknown; errors?: unknown[] };
  if (Array.isArray(shaped.errors) && shaped.errors.length > 0) throw shaped.errors[0];
  if (shaped.data && typeof shaped.data === "object") return shaped.data as Record<string, unknown>;
  return result as Record<string, unknown>;
}

function toApiError(error: unknown): ApiError {
  if (!(error instanceof TokenVerificationError))
    return unauthorized("invalid_token", "The session token is not valid");
  switch (error.reason) {
    case "token-expired":
      return unauthorized("token_expired", "The session token has expired; refresh it");
    case "token-not-active-yet":
    case "token-iat-in-the-future":
      return unauthorized("token_not_yet_valid", "The session token is not valid yet");
    case "jwk-remote-failed-to-load":
    case "jwk-failed-to-resolve":
      return new ApiError("auth_unavailable", "Cannot reach the identity provider; try again shortly");
    default:
      return unauthorized("invalid_token", "The session token is not valid");
  }
}

const optionalString = (value: unknown, max = 512) =>
  typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;

/** The isolate's one cache of verified tokens: REST, RivetKit's routes and actor connections share it. */
const verifiedTokens = new VerifiedTokens();

/**
 * Verifies signature, algorithm, `exp`/`nbf` (5 s skew), issuer and `azp` with @clerk/backend. With a PEM key it
 * makes no network call; with a secret key the JWKS fetch is the only one, and its failure is a 503, not a 401.
 * A token this isolate already verified is answered from `cache` until its `exp` (verified-tokens.ts).
 */
export async function verifySessionToken(
  token: string,
  config: AuthConfig,
  cache: VerifiedTokens = verifiedTokens,
): Promise<SessionClaims> {
  const key = configKey(config);
  const cached = cache.get(token, key);
  if (cached) return cached;
  const claims = await verifyUncached(token, config);
  cache.set(token, key, claims);
  return claims;
}

async function verifyUncached(token: string, config: AuthConfig): Promise<SessionClaims> {
  let data: Record<string, unknown>;
  try {
    data = unwrap(
      await verifyToken(token, {
        jwtKey: config.jwtKey,
        secretKey: config.jwtKey ? undefined : config.secretKey,
        issuer: config.issuer,
        authorizedParties: config.authorizedParties,
        clockSkewInMs: CLOCK_SKEW_MS,
      }),
    );
  } catch (error) {
    throw toApiError(error);
  }
  const sub = optionalString(data.sub, 255);
  if (!sub) throw unauthorized("invalid_token", "The session token has no subject");
  return {
    sub,
    sessionId: optionalString(data.sid, 255),
    email: optionalString(data.email, 320),
    name: optionalString(data.name, 200),
    imageUrl: optionalString(data.image_url, 2_048),
    expiresAt: Number(data.exp),
  };
}
