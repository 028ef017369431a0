import { SignJWT } from "jose";
import type { SigningKey } from "./signing-key";

export interface MintOptions {
  username: string;
  issuer: string;
  /** The `azp` claim: the origin of the front end the session belongs to. */
  authorizedParty: string;
  ttlSeconds?: number;
  /** Seconds since the epoch; defaults to now. Tests move it to make expired or not-yet-valid tokens. */
  now?: number;
  /** Extra or replaced claims. */
  claims?: Record<string, unknown>;
}

export const USERNAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const devUserId = (username: string) => `user_dev_${username}`;

/** A token shaped like a Clerk session token (v2 claims, RS256, `kid` header) for a named dev user. */
export async function mintSessionToken(key: SigningKey, options: MintOptions): Promise<string> {
  if (!USERNAME.test(options.username))
    throw new Error("username: 1–32 of a-z, 0-9, _ and -, starting alphanumeric");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const ttl = options.ttlSeconds ?? 3_600;
  return new SignJWT({
    azp: options.authorizedParty,
    sid: `sess_dev_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
    v: 2,
    email: `${options.username}@dev.growqr.local`,
    name: options.username.charAt(0).toUpperCase() + options.username.slice(1),
    ...options.claims,
  })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .setIssuer(options.issuer)
    .setSubject(devUserId(options.username))
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(now + ttl)
    .sign(key.privateKey);
}
