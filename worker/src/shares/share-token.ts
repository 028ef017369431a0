import { toBase64Url } from "../../../platform/base64url";

/** 32 random bytes, unpadded base64url: 43 characters. */
export const SHARE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What the table keys a link by: a leaked row names no working link. */
export async function hashShareToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return toBase64Url(new Uint8Array(digest));
}

/** A new link's token (shown to its owner once) and the hash that is stored. */
export async function newShareToken(): Promise<{ token: string; tokenHash: string }> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  return { token, tokenHash: await hashShareToken(token) };
}
